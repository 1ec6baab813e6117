package io.nanofleet.agent.enroll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nanofleet.agent.cli.AgentMain;
import io.nanofleet.agent.config.AgentConfig;
import io.nanofleet.agent.config.Settings;
import io.nanofleet.agent.testing.FakeEnrollmentServer;
import io.nanofleet.agent.testing.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnrollTest {
    @TempDir
    Path dir;

    @Test
    void csrIsAValidPkcs10RequestForOurKeyAndName() throws Exception {
        var keys = CsrBuilder.generateKeyPair();
        byte[] der = CsrBuilder.build("pump-7", keys);
        Path csr = dir.resolve("req.pem");
        Files.writeString(csr, Pem.encode("CERTIFICATE REQUEST", der));
        // keytool (a PKCS#10 parser we did not write) signs it; the certificate carries our key and name.
        TestPki pki = new TestPki(dir);
        var cert = Pem.certificates(pki.sign(Files.readString(csr), "eku=clientAuth")).get(0);
        assertEquals(keys.getPublic(), cert.getPublicKey());
        assertEquals("CN=pump-7", cert.getSubjectX500Principal().getName());
        assertEquals(List.of("1.3.6.1.5.5.7.3.2"), cert.getExtendedKeyUsage());
        // openssl checks the request's self-signature (proof of possession) where it is installed.
        if (Files.isExecutable(Path.of("/usr/bin/openssl"))) {
            Process p = new ProcessBuilder("openssl", "req", "-in", csr.toString(), "-verify", "-noout", "-subject")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            assertTrue(out.contains("pump-7") && out.toLowerCase().contains("ok"), out);
        }
    }

    @Test
    void enrollCommandStoresOwnerOnlyCredentialsAndWritesTheConfig() throws Exception {
        TestPki pki = new TestPki(Files.createDirectories(dir.resolve("pki")));
        try (FakeEnrollmentServer server = new FakeEnrollmentServer(pki)) {
            server.token("tok-1", "pump-7");
            Path state = dir.resolve("state");
            Path cfg = dir.resolve("agent.conf");
            Files.writeString(cfg, "# mine\nsensor.type = simulated\n");
            int code = run("enroll", "--server", server.url(), "--token", "tok-1", "--device-id", "pump-7",
                    "--config", cfg.toString(), "--state-dir", state.toString());
            assertEquals(0, code, out.toString());
            for (String f : List.of(Credentials.KEY, Credentials.CERT, Credentials.CA, Credentials.COMMAND_KEY, Credentials.ROOT)) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve(f))), f);
            }
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
            Credentials c = new Credentials(state);
            assertTrue(c.enrolled());
            assertEquals("CN=pump-7", c.certificate().getSubjectX500Principal().getName());
            assertEquals(server.commandKey.getPublic(), c.commandKey());
            assertNotNull(c.sslContext());
            assertTrue(c.read(Credentials.ROOT).contains("\"_type\":\"root\""));
            AgentConfig written = AgentConfig.load(cfg);
            assertEquals("pump-7", written.string(Settings.DEVICE_ID));
            assertEquals("mqtts://127.0.0.1:8883", written.string(Settings.MQTT_URL));
            assertTrue(Files.readString(cfg).startsWith("# mine"), "the operator's lines are kept");

            // The token is single use, and an unknown one is refused with what to do next.
            assertEquals(1, run("enroll", "--server", server.url(), "--token", "tok-1", "--device-id", "pump-7",
                    "--state-dir", dir.resolve("s2").toString()));
            assertTrue(err.toString().contains("HTTP 409") && err.toString().contains("ask for a new one"), err.toString());
            assertEquals(1, run("enroll", "--server", server.url(), "--token", "nope", "--device-id", "pump-7",
                    "--state-dir", dir.resolve("s3").toString()));
            assertTrue(err.toString().contains("HTTP 401"), err.toString());
        }
    }

    @Test
    void filesBelongToTheStateDirectorysOwner() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "only root can give files away; skipping");
        var nobody = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Path state = Files.createDirectories(dir.resolve("owned"));
        Files.setOwner(state, nobody);
        new Credentials(state).writePrivate(Credentials.KEY, "secret");
        assertEquals(nobody, Files.getOwner(state.resolve(Credentials.KEY)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve(Credentials.KEY))));
    }

    @Test
    void unreachableServerAndBadUsageExitCodes() throws Exception {
        assertEquals(1, run("enroll", "--server", "http://127.0.0.1:1", "--token", "t", "--device-id", "d",
                "--state-dir", dir.toString()));
        assertTrue(err.toString().contains("cannot reach"), err.toString());
        assertEquals(2, run("enroll", "--server", "http://x"));
        assertEquals(2, run("enroll", "--server", "http://x", "--token", "t", "--device-id", "a/b"));
        assertEquals(0, run("--help"));
        assertEquals(2, run("frobnicate"));
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        PrintStream o = System.out;
        PrintStream e = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return AgentMain.execute(args);
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }
}
