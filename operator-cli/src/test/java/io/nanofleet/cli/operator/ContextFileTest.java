package io.nanofleet.cli.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContextFileTest {
    @TempDir
    Path home;

    Env env(TestEnv t) {
        return new Env(t.vars, t.home, new java.io.BufferedReader(new java.io.StringReader("")),
                new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(new java.io.StringWriter()), false, false, false,
                java.time.Clock.systemUTC(), java.time.ZoneOffset.UTC, d -> { }, () -> TestEnv.HTTP, p -> null);
    }

    @Test
    void defaultLocationFollowsXdgConfigHomeElseHomeConfig() {
        TestEnv t = new TestEnv(home);
        assertEquals(home.resolve(".config/nanofleet/context.json"), ContextFile.locate(null, env(t)).path());
        t.var("XDG_CONFIG_HOME", home.resolve("xdg").toString());
        assertEquals(home.resolve("xdg/nanofleet/context.json"), ContextFile.locate(null, env(t)).path());
        t.var("XDG_CONFIG_HOME", "relative/dir"); // the spec: a relative XDG_CONFIG_HOME is ignored
        assertEquals(home.resolve(".config/nanofleet/context.json"), ContextFile.locate(null, env(t)).path());
        assertEquals(home.resolve("elsewhere.json"), ContextFile.locate(home.resolve("elsewhere.json"), env(t)).path());
    }

    @Test
    void writesOwnerOnlyFileInOwnerOnlyDirectoryAndReadsItBack() throws Exception {
        ContextFile f = ContextFile.locate(null, env(new TestEnv(home)));
        f.write(new ContextFile.Context("http://127.0.0.1:8080", "nft_secret"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f.path())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f.path().getParent())));
        assertEquals(new ContextFile.Context("http://127.0.0.1:8080", "nft_secret"), f.read(env(new TestEnv(home))).orElseThrow());
        try (Stream<Path> s = Files.list(f.path().getParent())) {
            assertEquals(1, s.count(), "no temporary file left behind");
        }
    }

    @Test
    void overwritingKeepsTheModeAndTightensALooseDefaultDirectory() throws Exception {
        ContextFile f = ContextFile.locate(null, env(new TestEnv(home)));
        Files.createDirectories(f.path().getParent());
        Files.setPosixFilePermissions(f.path().getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(f.path(), "{\"server\":\"http://old:1\",\"token\":\"old\"}");
        Files.setPosixFilePermissions(f.path(), PosixFilePermissions.fromString("rw-r--r--"));
        f.write(new ContextFile.Context("http://new:2", "new"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f.path())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f.path().getParent())));
        assertEquals("new", f.read(env(new TestEnv(home))).orElseThrow().token());
    }

    @Test
    void anExplicitFileGetsOwnerOnlyModeButItsExistingDirectoryIsLeftAlone() throws Exception {
        Path dir = Files.createDirectories(home.resolve("shared"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        ContextFile f = ContextFile.locate(dir.resolve("ctx.json"), env(new TestEnv(home)));
        f.write(new ContextFile.Context("http://h:1", "t"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f.path())));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        ContextFile nested = ContextFile.locate(home.resolve("new/sub/ctx.json"), env(new TestEnv(home)));
        nested.write(new ContextFile.Context("http://h:1", "t"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("new/sub"))), "made by us: 0700");
    }

    @Test
    void aFileOthersCanReadIsUsedWithAWarningThatSaysHowToFixIt() throws Exception {
        Path p = home.resolve("ctx.json");
        Files.writeString(p, "{\"server\":\"http://127.0.0.1:9\",\"token\":\"t\"}");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        TestEnv.Run r = new TestEnv(home).run("--context", p.toString(), "devices", "list");
        assertEquals(ExitCodes.UNREACHABLE, r.code(), r.toString()); // nothing listens on port 9: but the file was read
        assertTrue(r.err().contains("warning: " + p + " holds an API token and others can read it (mode rw-r--r--); run: chmod 600 " + p), r.err());
    }

    @Test
    void missingFileIsEmptyAndAMalformedOneIsAnErrorNamingIt() throws Exception {
        Path p = home.resolve("ctx.json");
        ContextFile f = ContextFile.locate(p, env(new TestEnv(home)));
        assertTrue(f.read(env(new TestEnv(home))).isEmpty());
        assertFalse(f.delete());
        Files.writeString(p, "not json");
        CliException e = assertThrows(CliException.class, () -> f.read(env(new TestEnv(home))));
        assertTrue(e.getMessage().contains(p.toString()) && e.hint().contains("nanofleet login"), e.getMessage());
        assertTrue(f.delete());
        assertFalse(Files.exists(p));
    }

    @Test
    void logoutRemovesTheFileAndSaysSoEvenWhenThereWasNone() throws Exception {
        ContextFile f = ContextFile.locate(null, env(new TestEnv(home)));
        f.write(new ContextFile.Context("http://h:1", "t"));
        TestEnv.Run r = new TestEnv(home).run("logout");
        assertEquals(0, r.code(), r.toString());
        assertEquals("Logged out: removed " + f.path() + "\n", r.out());
        assertFalse(Files.exists(f.path()));
        r = new TestEnv(home).run("logout");
        assertEquals(0, r.code());
        assertEquals("Not logged in: no " + f.path() + "\n", r.out());
    }
}
