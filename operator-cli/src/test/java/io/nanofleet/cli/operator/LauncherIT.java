package io.nanofleet.cli.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The packaged launcher (target/nanofleet-cli.jar, and bin/nanofleet around it) run as a child process against a live server, as a user would. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LauncherIT {
    static final Path JAR = Path.of("target", "nanofleet-cli.jar");
    static final Path SCRIPT = Path.of("bin", "nanofleet");

    @TempDir
    static Path dir;
    LiveServer live;

    record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    @BeforeAll
    void start() {
        live = new LiveServer(dir.resolve("server"), true);
    }

    @AfterAll
    void stop() {
        if (live != null) {
            live.close();
        }
    }

    Result launch(Map<String, String> env, List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "nf", ".out");
        Path err = Files.createTempFile(dir, "nf", ".err");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("NANOFLEET_") || k.equals("XDG_CONFIG_HOME"));
        pb.environment().put("HOME", dir.resolve("home").toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher did not finish in 60 s: " + command);
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    Result jar(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        return launch(env, cmd);
    }

    @Test
    void theJarHoldsOnlyTheCliPicocliAndJackson() throws IOException {
        assertTrue(Files.exists(JAR), "package must have built " + JAR.toAbsolutePath());
        try (JarFile j = new JarFile(JAR.toFile())) {
            assertEquals("io.nanofleet.cli.operator.Nanofleet", j.getManifest().getMainAttributes().getValue("Main-Class"));
            List<String> foreign = j.stream().map(e -> e.getName()).filter(n -> n.endsWith(".class") && !n.startsWith("META-INF/"))
                    .filter(n -> !n.startsWith("io/nanofleet/cli/operator/") && !n.startsWith("picocli/")
                            && !n.startsWith("com/fasterxml/jackson/")).toList();
            assertEquals(List.of(), foreign, "only the CLI, picocli and Jackson at run time");
        }
        assertTrue(Files.size(JAR) < 3_000_000, "a small jar: " + Files.size(JAR));
    }

    @Test
    void loginListWhoamiAndTheErrorsAsAChildProcess() throws Exception {
        Path xdg = dir.resolve("xdg");
        Map<String, String> env = Map.of("XDG_CONFIG_HOME", xdg.toString());
        Result version = jar(env, "--version");
        assertEquals(0, version.code(), version.toString());
        assertTrue(version.out().startsWith("nanofleet 0."), version.out());

        Result wrong = jar(env, "login", "--server", live.url, "--token", "nft_nope");
        assertEquals(ExitCodes.AUTH, wrong.code(), wrong.toString());
        assertTrue(wrong.err().contains("refused this token"), wrong.err());

        Result login = jar(env, "login", "--server", live.url, "--token-stdin");
        assertEquals(ExitCodes.USAGE, login.code(), "stdin is /dev/null: " + login);
        Path tokenFile = Files.writeString(dir.resolve("token"), live.admin + "\n");
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "\"$0\" -jar \"$1\" login --server \"$2\" --token-stdin < \"$3\"",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), JAR.toString(), live.url, tokenFile.toString()));
        Result in = launch(env, cmd);
        assertEquals(0, in.code(), in.toString());
        Path ctx = xdg.resolve("nanofleet/context.json");
        assertEquals("Logged in to " + live.url + " (role admin); saved to " + ctx, in.out().strip());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ctx)));

        Result list = jar(env, "devices", "list", "-o", "json");
        assertEquals(0, list.code(), list.toString());
        assertEquals(0, Json.MAPPER.readTree(list.out()).path("count").asInt());
        Result empty = jar(env, "devices", "list");
        assertEquals(0, empty.code());
        assertEquals("", empty.out());
        assertEquals("no devices yet", empty.err().strip());
        Result who = jar(env, "whoami");
        assertTrue(who.out().contains("role    admin"), who.toString());

        Result down = jar(Map.of("NANOFLEET_SERVER", "http://127.0.0.1:" + CliTest.freePort(), "NANOFLEET_TOKEN", "x"), "rollouts", "list");
        assertEquals(ExitCodes.UNREACHABLE, down.code(), down.toString());
        assertTrue(down.err().contains("connection refused"), down.err());
        Result revoke = jar(env, "devices", "revoke", "sim-1");
        assertEquals(ExitCodes.USAGE, revoke.code(), "stdin is not a terminal: " + revoke);

        Result completion = jar(env, "completion", "bash");
        assertEquals(0, completion.code());
        Path script = Files.writeString(dir.resolve("nanofleet.bash"), completion.out());
        Result sourced = launch(env, List.of("bash", "-c", "source \"$0\" && complete -p nanofleet", script.toString()));
        assertEquals(0, sourced.code(), sourced.toString());
        assertTrue(sourced.out().contains("nanofleet"), sourced.out());
    }

    @Test
    void theLauncherScriptRunsTheJar() throws Exception {
        Result r = launch(Map.of(), List.of("sh", SCRIPT.toString(), "--version"));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().startsWith("nanofleet 0."), r.out());
        Result help = launch(Map.of(), List.of("sh", SCRIPT.toString(), "rollouts", "watch", "--help"));
        assertEquals(0, help.code(), help.toString());
        assertTrue(help.out().contains("--until-paused"), help.out());
    }
}
