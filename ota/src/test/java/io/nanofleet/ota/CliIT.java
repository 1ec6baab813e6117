package io.nanofleet.ota;

import io.nanofleet.ota.cli.ConformanceCli;
import io.nanofleet.ota.cli.OtaCli;
import io.nanofleet.ota.client.HttpFetcher;
import io.nanofleet.ota.client.Updater;
import io.nanofleet.ota.client.UpdaterConfig;
import io.nanofleet.ota.director.AssignmentVerifier;
import io.nanofleet.ota.metadata.Root;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.metadata.TufException;
import io.nanofleet.ota.testing.RepoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both CLIs, in process and as the shaded executable jar, through the operator's whole workflow. */
class CliIT {
    @TempDir
    Path tmp;

    private Path pw() throws Exception {
        Path p = tmp.resolve("pw.txt");
        if (!Files.exists(p)) {
            Files.writeString(p, "correct horse battery\n");
        }
        return p;
    }

    private int ota(String... args) throws Exception {
        List<String> a = new ArrayList<>(Arrays.asList(args));
        if (a.size() > 0 && !a.contains("--help")) {
            a.add("--password-file");
            a.add(pw().toString());
        }
        return OtaCli.execute(a.toArray(new String[0]));
    }

    private Path key(String name, String type) throws Exception {
        Path k = tmp.resolve("keys/" + name + ".key");
        Files.createDirectories(k.getParent());
        assertEquals(0, ota("keygen", "--type", type, "--iterations", "1000", "--out", k.toString()));
        return k;
    }

    @Test
    void operatorWorkflowThenDeviceVerifies() throws Exception {
        Path root1 = key("root1", "ed25519");
        Path root2 = key("root2", "ecdsa");
        Path targets = key("targets", "ecdsa");
        Path snapshot = key("snapshot", "ed25519");
        Path timestamp = key("timestamp", "ed25519");
        Path director = key("director", "ed25519");
        Path repo = tmp.resolve("repo");
        assertEquals(0, ota("init", "--repo", repo.toString(), "--root-key", root1.toString(), "--root-threshold", "1",
                "--targets-key", targets.toString(), "--snapshot-key", snapshot.toString(),
                "--timestamp-key", timestamp.toString(), "--director-key", director.toString()));
        // A 2-of-2 root where only one holder is present at init: verify names the gap until the other signs.
        Path repo2 = tmp.resolve("repo2");
        assertEquals(0, ota("init", "--repo", repo2.toString(), "--root-key", root1.toString(), "--root-key", root2.toString(),
                "--root-threshold", "2", "--targets-key", targets.toString(), "--snapshot-key", snapshot.toString(),
                "--timestamp-key", timestamp.toString(), "--signer", root1.toString(), "--signer", targets.toString(),
                "--signer", snapshot.toString(), "--signer", timestamp.toString()));
        assertEquals(1, OtaCli.execute("verify", "--repo", repo2.toString()));
        assertEquals(0, ota("sign", "--repo", repo2.toString(), "--role", "root", "--key", root2.toString()));
        assertEquals(0, OtaCli.execute("verify", "--repo", repo2.toString()));
        Path model = tmp.resolve("anomaly.nfm");
        byte[] content = "int8 anomaly model".getBytes(StandardCharsets.UTF_8);
        Files.write(model, content);
        assertEquals(0, ota("add-target", "--repo", repo.toString(), "--file", model.toString(),
                "--name", "models/anomaly-v1.nfm", "--kind", "anomaly-model", "--hardware-id", "rpi4",
                "--hardware-id", "cm4", "--release-counter", "1", "--key", targets.toString()));
        // Root rotation to a 2-of-2 root: old key signs, both new keys sign.
        assertEquals(0, ota("rotate-root", "--repo", repo.toString(), "--root-key", root1.toString(), "--root-key", root2.toString(),
                "--root-threshold", "2", "--targets-key", targets.toString(), "--snapshot-key", snapshot.toString(),
                "--timestamp-key", timestamp.toString(), "--director-key", director.toString(), "--key", root1.toString()));
        // Root v2 needs 2 signatures and has 1: the repository check says so before any device sees it.
        assertEquals(1, OtaCli.execute("verify", "--repo", repo.toString()));
        assertEquals(0, ota("sign", "--repo", repo.toString(), "--role", "root", "--key", root2.toString()));
        assertEquals(0, ota("refresh", "--repo", repo.toString(), "--snapshot-key", snapshot.toString(),
                "--timestamp-key", timestamp.toString()));
        assertEquals(0, OtaCli.execute("verify", "--repo", repo.toString()));
        Path assignment = tmp.resolve("assignment.json");
        assertEquals(0, ota("assign", "--repo", repo.toString(), "--director-key", director.toString(), "--device", "dev-7",
                "--target", "models/anomaly-v1.nfm", "--hardware-id", "rpi4", "--version", "1", "--out", assignment.toString()));

        try (RepoServer server = new RepoServer(repo)) {
            Path meta = tmp.resolve("device-meta");
            Path out = tmp.resolve("device-targets");
            assertEquals(0, ConformanceCli.execute("--metadata-dir", meta.toString(), "init", repo.resolve("metadata/1.root.json").toString()));
            assertEquals(0, ConformanceCli.execute("--metadata-dir", meta.toString(), "--metadata-url", server.uri("metadata/").toString(), "refresh"));
            assertEquals(2, new Root(io.nanofleet.ota.metadata.Metadata.parse(Files.readAllBytes(meta.resolve("root.json")), "root")).version());
            assertEquals(0, ConformanceCli.execute("--metadata-dir", meta.toString(), "--metadata-url", server.uri("metadata/").toString(),
                    "--target-name", "models/anomaly-v1.nfm", "--target-base-url", server.uri("targets/").toString(),
                    "--target-dir", out.toString(), "download"));
            assertArrayEquals(content, Files.readAllBytes(out.resolve("models%2Fanomaly-v1.nfm")));
            // The same target again: the verified copy is used, no target request (issue 12 item 3)...
            server.reset();
            String[] download = {"--metadata-dir", meta.toString(), "--metadata-url", server.uri("metadata/").toString(),
                    "--target-name", "models/anomaly-v1.nfm", "--target-base-url", server.uri("targets/").toString(),
                    "--target-dir", out.toString(), "download"};
            assertEquals(0, ConformanceCli.execute(download));
            assertEquals(List.of(), targetRequests(server));
            // ...but a copy with the right name and length and one byte changed is downloaded again.
            byte[] corrupt = content.clone();
            corrupt[corrupt.length / 2] ^= 1;
            Files.write(out.resolve("models%2Fanomaly-v1.nfm"), corrupt);
            assertEquals(0, ConformanceCli.execute(download));
            assertEquals(1, targetRequests(server).size(), server.served().toString());
            assertArrayEquals(content, Files.readAllBytes(out.resolve("models%2Fanomaly-v1.nfm")));

            Updater u = new Updater(new UpdaterConfig(meta, server.uri("metadata/"), server.uri("targets/")), new HttpFetcher(), Clock.systemUTC());
            u.refresh();
            TargetFile t = new AssignmentVerifier("dev-7", "rpi4").verify(Files.readAllBytes(assignment), u, Clock.systemUTC().instant(), 0, 0);
            assertEquals("anomaly-model", t.kind());
            assertEquals(1, t.releaseCounter());
            assertThrows(TufException.AssignmentException.class,
                    () -> new AssignmentVerifier("dev-8", "rpi4").verify(Files.readAllBytes(assignment), u, Clock.systemUTC().instant(), 0, 0));
            // Failures exit 1 in the conformance protocol.
            assertEquals(1, ConformanceCli.execute("--metadata-dir", meta.toString(), "--metadata-url", server.uri("metadata/").toString(),
                    "--target-name", "models/missing.nfm", "--target-base-url", server.uri("targets/").toString(),
                    "--target-dir", out.toString(), "download"));
        }
        // Private keys are not readable as plain PKCS#8 / PEM.
        String keyText = Files.readString(root1);
        assertTrue(keyText.contains("\"ciphertext\"") && !keyText.contains("PRIVATE KEY"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sigstore-root-signing", "tuf-on-ci-0.11"})
    void conformanceClientAgainstInteropRepositories(String name) throws Exception {
        Path dir = InteropIT.DATA.resolve(name);
        String time = OffsetDateTime.parse(Files.readString(dir.resolve("faketime")).trim().replace(' ', 'T')).toInstant().toString();
        String target = Files.readString(dir.resolve("targetpath")).trim();
        try (RepoServer server = new RepoServer(dir)) {
            Path meta = tmp.resolve("m");
            assertEquals(0, ConformanceCli.execute("--metadata-dir", meta.toString(), "init", dir.resolve("initial_root.json").toString()));
            assertEquals(0, ConformanceCli.execute("--metadata-dir", meta.toString(), "--metadata-url", server.uri("metadata/").toString(),
                    "--reference-time", time, "--target-name", target, "--target-base-url", server.uri("targets/").toString(),
                    "--target-dir", tmp.resolve("t").toString(), "download"));
            assertTrue(Files.size(tmp.resolve("t").resolve(Updater.Names.quote(target))) > 0);
            assertTrue(Files.exists(meta.resolve("timestamp.json")) && Files.exists(meta.resolve("snapshot.json")));
            // Without the reference time the sigstore metadata (timestamp valid for days) is expired today: exit 1.
            if (name.startsWith("sigstore")) {
                Path m2 = tmp.resolve("m2");
                assertEquals(0, ConformanceCli.execute("--metadata-dir", m2.toString(), "init", dir.resolve("initial_root.json").toString()));
                assertEquals(1, ConformanceCli.execute("--metadata-dir", m2.toString(), "--metadata-url",
                        server.uri("metadata/").toString(), "refresh"));
            }
        }
    }

    @Test
    void usageErrorsExitTwo() throws Exception {
        assertEquals(2, OtaCli.execute());
        assertEquals(2, OtaCli.execute("no-such-command"));
        assertEquals(2, OtaCli.execute("keygen"));
        assertEquals(0, OtaCli.execute("--help"));
        assertEquals(1, ConformanceCli.execute("--metadata-dir", tmp.toString(), "bogus"));
    }

    @Test
    void shadedJarRunsAndReportsWrongPassword() throws Exception {
        Path jar = Path.of("target").toAbsolutePath().resolve("nanofleet-ota-" + System.getProperty("project.version", "0.1.0-SNAPSHOT") + "-cli.jar");
        assertTrue(Files.exists(jar), "package phase builds " + jar);
        Path k = tmp.resolve("j.key");
        Result r = run(jar, "s3cret-password", "keygen", "--iterations", "1000", "--out", k.toString());
        assertEquals(0, r.code, r.err);
        assertEquals(64, r.out.trim().length(), "prints the key id: " + r.out);
        Result help = run(jar, null, "--help");
        assertEquals(0, help.code);
        assertTrue(help.out.contains("add-target") && help.out.contains("rotate-root"), help.out);
        Path repo = tmp.resolve("r");
        Result bad = run(jar, "wrong-password!", "init", "--repo", repo.toString(), "--root-key", k.toString(), "--targets-key", k.toString(),
                "--snapshot-key", k.toString(), "--timestamp-key", k.toString());
        assertEquals(1, bad.code);
        assertTrue(bad.err.contains("wrong password"), bad.err);
        assertTrue(!Files.exists(repo.resolve("metadata/1.root.json")), "nothing written on failure");
        Result usage = run(jar, null, "add-target", "--repo", repo.toString());
        assertEquals(2, usage.code);
        assertTrue(usage.err.contains("Missing required option"), usage.err);
    }

    record Result(int code, String out, String err) {
    }

    private Result run(Path jar, String password, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("NANOFLEET_KEY_PASSWORD");
        if (password != null) {
            pb.environment().put("NANOFLEET_KEY_PASSWORD", password);
        }
        File outF = tmp.resolve("out.txt").toFile();
        File errF = tmp.resolve("err.txt").toFile();
        pb.redirectOutput(outF).redirectError(errF);
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertNotNull(p);
        return new Result(p.exitValue(), Files.readString(outF.toPath()), Files.readString(errF.toPath()));
    }


    static List<String> targetRequests(RepoServer server) {
        return server.served().stream().filter(p -> p.startsWith("targets/")).toList();
    }
}
