package io.nanofleet.ota.repo;

import io.nanofleet.ota.crypto.KeyType;
import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.metadata.Hashes;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.metadata.Targets;
import io.nanofleet.ota.testing.TestClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Offline-signed targets metadata published into a repository that does not hold the targets key: the
 * good path, each refusal reason, and that a refusal leaves every file of the repository as it was.
 */
class PublishSignedTargetsTest {
    @TempDir
    Path tmp;

    final TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
    final TufSigner root = TufSigner.generate(KeyType.ED25519);
    final TufSigner targets = TufSigner.generate(KeyType.ED25519);
    final TufSigner online = TufSigner.generate(KeyType.ED25519);
    Repository repo;

    @BeforeEach
    void init() throws Exception {
        repo = new Repository(tmp.resolve("server"), clock);
        repo.init(Map.of("root", RoleSpec.of(1, root.publicKey()), "targets", RoleSpec.of(1, targets.publicKey()),
                        "snapshot", RoleSpec.of(1, online.publicKey()), "timestamp", RoleSpec.of(1, online.publicKey())),
                Map.of("root", List.of(root), "targets", List.of(targets), "snapshot", List.of(online),
                        "timestamp", List.of(online)));
    }

    Path file(String name, String content) throws Exception {
        return Files.writeString(tmp.resolve(name), content);
    }

    /** What the operator does offline: copy the published repository, add targets with the targets key. */
    byte[] signOffline(TufSigner key, Duration expiry, Map<String, Path> files) throws Exception {
        Path copy = tmp.resolve("offline");
        copyTree(tmp.resolve("server"), copy);
        Repository offline = new Repository(copy, clock).expiries(Duration.ofDays(365), expiry, Duration.ofDays(7), Duration.ofDays(1));
        for (Map.Entry<String, Path> f : files.entrySet()) {
            offline.addTarget(f.getValue(), f.getKey(), TargetKind.ANOMALY_MODEL.custom(List.of("rpi4"), 3), "targets", List.of(key));
        }
        // One new version listing all of them, as one offline signing session produces.
        Map<String, Object> signed = new LinkedHashMap<>(offline.latest("targets").signed());
        signed.put("version", repo.latestVersion("targets") + 1);
        deleteTree(copy);
        return Signing.document(signed, List.of(key));
    }

    byte[] signOffline(Map<String, Path> files) throws Exception {
        return signOffline(targets, Duration.ofDays(90), files);
    }

    @Test
    void publishesFilesThenMetadataAndDevicesSeeIt() throws Exception {
        Path a = file("a", "model a");
        Path b = file("b", "model b, another");
        byte[] signed = signOffline(Map.of("models/a.nfm", a, "edge/x/b.nfm", b));

        Targets published = repo.publishSignedTargets(signed, Map.of("models/a.nfm", a, "edge/x/b.nfm", b));

        assertEquals(2, published.version());
        assertEquals(2, repo.latestVersion("targets"));
        assertArrayEquals(signed, Files.readAllBytes(repo.metadataDir().resolve("2.targets.json")), "the signed bytes, as signed");
        TargetFile ta = published.targets().get("models/a.nfm");
        assertEquals("models/" + Hashes.sha256Hex("model a".getBytes()) + ".a.nfm", ta.consistentName());
        assertArrayEquals("model a".getBytes(), Files.readAllBytes(repo.targetsDir().resolve(ta.consistentName())));
        assertArrayEquals("model b, another".getBytes(),
                Files.readAllBytes(repo.targetsDir().resolve(published.targets().get("edge/x/b.nfm").consistentName())));
        try (var s = Files.walk(repo.targetsDir())) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no staging files left");
        }
        repo.refresh(List.of(online), List.of(online));
        assertEquals(List.of("edge/x/b.nfm", "models/a.nfm"),
                repo.check().stream().map(TargetFile::name).sorted().toList(), "the device client accepts what was published");

        // The next version may list the earlier targets without uploading them again: they are here.
        Path c = file("c", "model c");
        byte[] v3 = signOffline(Map.of("models/c.nfm", c));
        assertEquals(3, repo.publishSignedTargets(v3, Map.of("models/c.nfm", c)).targets().size());
    }

    @Test
    void notTargetsMetadata() throws Exception {
        Path a = file("a", "model a");
        assertRefused(PublishException.Reason.NOT_TARGETS_METADATA, "{\"signed\":1}".getBytes(), Map.of("models/a.nfm", a));
        assertRefused(PublishException.Reason.NOT_TARGETS_METADATA, repo.rootBytes(), Map.of());
        assertRefused(PublishException.Reason.NOT_TARGETS_METADATA, "not json".getBytes(), Map.of());
    }

    @Test
    void badSignature() throws Exception {
        Path a = file("a", "model a");
        byte[] forged = signOffline(TufSigner.generate(KeyType.ED25519), Duration.ofDays(90), Map.of("models/a.nfm", a));
        PublishException e = assertRefused(PublishException.Reason.BAD_SIGNATURE, forged, Map.of("models/a.nfm", a));
        assertTrue(e.getMessage().contains("not signed by root's targets key"), e.getMessage());
    }

    @Test
    void wrongVersion() throws Exception {
        Path a = file("a", "model a");
        byte[] v2 = signOffline(Map.of("models/a.nfm", a));
        repo.publishSignedTargets(v2, Map.of("models/a.nfm", a));
        PublishException e = assertRefused(PublishException.Reason.WRONG_VERSION, v2, Map.of("models/a.nfm", a));
        assertEquals("targets metadata has version 2, the repository needs 3", e.getMessage());

        Path b = file("b", "model b");
        Path copy = tmp.resolve("ahead");
        copyTree(tmp.resolve("server"), copy);
        Repository ahead = new Repository(copy, clock);
        ahead.addTarget(b, "models/b.nfm", null, "targets", List.of(targets));
        ahead.addTarget(b, "models/b2.nfm", null, "targets", List.of(targets));
        byte[] v4 = Files.readAllBytes(ahead.metadataDir().resolve("4.targets.json"));
        assertRefused(PublishException.Reason.WRONG_VERSION, v4, Map.of("models/b.nfm", b));
    }

    @Test
    void expired() throws Exception {
        Path a = file("a", "model a");
        byte[] shortLived = signOffline(targets, Duration.ofHours(1), Map.of("models/a.nfm", a));
        clock.advance(Duration.ofHours(2));
        assertRefused(PublishException.Reason.EXPIRED, shortLived, Map.of("models/a.nfm", a));
    }

    @Test
    void notListed() throws Exception {
        Path a = file("a", "model a");
        byte[] signed = signOffline(Map.of("models/a.nfm", a));
        PublishException e = assertRefused(PublishException.Reason.NOT_LISTED, signed,
                Map.of("models/a.nfm", a, "models/absent.nfm", a));
        assertEquals("targets metadata does not list a target named models/absent.nfm", e.getMessage());
    }

    @Test
    void mismatchWritesNothingEvenWhenAnotherFileMatched() throws Exception {
        Path a = file("a", "model a");
        Path b = file("b", "model b");
        byte[] signed = signOffline(Map.of("models/a.nfm", a, "models/b.nfm", b));
        Path sameLength = file("b2", "model B");
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("models/a.nfm", a);
        files.put("models/b.nfm", sameLength);
        PublishException e = assertRefused(PublishException.Reason.MISMATCH, signed, files);
        assertTrue(e.getMessage().contains("does not match") && e.getMessage().contains("differs"), e.getMessage());
        files.put("models/b.nfm", file("b3", "longer than the signed file"));
        e = assertRefused(PublishException.Reason.MISMATCH, signed, files);
        assertTrue(e.getMessage().contains("length 27, signed 7"), e.getMessage());
    }

    @Test
    void missingTarget() throws Exception {
        Path a = file("a", "model a");
        Path b = file("b", "model b");
        byte[] signed = signOffline(Map.of("models/a.nfm", a, "models/b.nfm", b));
        PublishException e = assertRefused(PublishException.Reason.MISSING_TARGET, signed, Map.of("models/a.nfm", a));
        assertTrue(e.getMessage().contains("models/b.nfm"), e.getMessage());
    }

    /** Refused with {@code reason}, and every file of the repository is byte for byte what it was. */
    PublishException assertRefused(PublishException.Reason reason, byte[] metadata, Map<String, Path> files) throws Exception {
        Map<String, String> before = tree(tmp.resolve("server"));
        long version = repo.latestVersion("targets");
        PublishException e = assertThrows(PublishException.class, () -> repo.publishSignedTargets(metadata, files));
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(before, tree(tmp.resolve("server")), "nothing written, nothing left behind");
        assertEquals(version, repo.latestVersion("targets"));
        return e;
    }

    static Map<String, String> tree(Path dir) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (var s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                out.put(dir.relativize(p).toString(), Files.isDirectory(p) ? "dir" : Hashes.sha256Hex(Files.readAllBytes(p)));
            }
        }
        return out;
    }

    static void copyTree(Path from, Path to) throws Exception {
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path d = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(d);
                } else {
                    Files.copy(p, d);
                }
            }
        }
    }

    static void deleteTree(Path p) throws Exception {
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
