package io.nanofleet.ota.repo;

import io.nanofleet.ota.crypto.Hex;
import io.nanofleet.ota.crypto.KeyType;
import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.metadata.Hashes;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.metadata.Targets;
import io.nanofleet.ota.testing.LocalRepo;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
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
 * good path, each refusal reason, and that a refusal leaves every file of the repository as it was; and
 * the same immutability of published targets for online publishing ({@link Repository#addTarget}).
 */
class PublishSignedTargetsTest {
    @TempDir
    Path tmp;

    LocalRepo local;
    Repository repo;

    @BeforeEach
    void init() throws Exception {
        local = new LocalRepo(tmp);
        repo = local.repo;
    }

    Path file(String name, String content) throws Exception {
        return Files.writeString(tmp.resolve(name), content);
    }

    /**
     * What the operator does offline: the next targets version (or {@code ahead} later), listing the
     * repository's targets plus {@code files}, signed with {@code key}.
     */
    byte[] signOffline(TufSigner key, Duration expiry, long ahead, Map<String, Path> files) throws Exception {
        return signOffline(key, expiry, ahead, files, 3);
    }

    byte[] signOffline(TufSigner key, Duration expiry, long ahead, Map<String, Path> files, long releaseCounter) throws Exception {
        Map<String, Object> signed = new LinkedHashMap<>(repo.latest("targets").signed());
        @SuppressWarnings("unchecked")
        Map<String, Object> listed = new LinkedHashMap<>((Map<String, Object>) signed.get("targets"));
        for (Map.Entry<String, Path> f : files.entrySet()) {
            byte[] bytes = Files.readAllBytes(f.getValue());
            Map<String, Object> hashes = new LinkedHashMap<>();
            hashes.put("sha256", Hashes.sha256Hex(bytes));
            hashes.put("sha512", Hex.encode(Hashes.digest("sha512").digest(bytes)));
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("length", (long) bytes.length);
            entry.put("hashes", hashes);
            entry.put("custom", TargetKind.ANOMALY_MODEL.custom(List.of("rpi4"), releaseCounter));
            listed.put(f.getKey(), entry);
        }
        signed.put("targets", listed);
        signed.put("version", repo.latestVersion("targets") + ahead);
        signed.put("expires", local.clock.instant().plus(expiry).truncatedTo(ChronoUnit.SECONDS).toString());
        return Signing.document(signed, List.of(key));
    }

    byte[] signOffline(Map<String, Path> files) throws Exception {
        return signOffline(local.key, Duration.ofDays(90), 1, files);
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
        repo.refresh(List.of(local.key), List.of(local.key));
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
        byte[] forged = signOffline(TufSigner.generate(KeyType.ED25519), Duration.ofDays(90), 1, Map.of("models/a.nfm", a));
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
        byte[] v4 = signOffline(local.key, Duration.ofDays(90), 2, Map.of("models/b.nfm", b));
        assertRefused(PublishException.Reason.WRONG_VERSION, v4, Map.of("models/b.nfm", b));
    }

    @Test
    void expired() throws Exception {
        Path a = file("a", "model a");
        byte[] shortLived = signOffline(local.key, Duration.ofHours(1), 1, Map.of("models/a.nfm", a));
        local.clock.advance(Duration.ofHours(2));
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

    @Test
    void aPublishedTargetIsNeitherReplacedNorLowered() throws Exception {
        Path a = file("a", "model a");
        repo.publishSignedTargets(signOffline(Map.of("models/a.nfm", a)), Map.of("models/a.nfm", a));
        Path retrained = file("a2", "model a, retrained");
        PublishException e = assertRefused(PublishException.Reason.TARGET_IMMUTABLE,
                signOffline(Map.of("models/a.nfm", retrained)), Map.of("models/a.nfm", retrained));
        assertEquals("target models/a.nfm is published and immutable; publish under a new name", e.getMessage());
        // Same bytes, other custom fields: also a change to a published target.
        assertRefused(PublishException.Reason.TARGET_IMMUTABLE,
                signOffline(local.key, Duration.ofDays(90), 1, Map.of("models/a.nfm", a), 4), Map.of("models/a.nfm", a));
        // Without the file, metadata that changes the listed hashes is refused for the same reason.
        assertRefused(PublishException.Reason.TARGET_IMMUTABLE, signOffline(Map.of("models/a.nfm", retrained)), Map.of());
        // A lower release counter (the published one is 3) has its own reason.
        e = assertRefused(PublishException.Reason.RELEASE_COUNTER_LOWERED,
                signOffline(local.key, Duration.ofDays(90), 1, Map.of("models/a.nfm", retrained), 2),
                Map.of("models/a.nfm", retrained));
        assertTrue(e.getMessage().startsWith("target models/a.nfm is published with release counter 3; 2 would lower it"),
                e.getMessage());
    }

    /** Online publishing (addTarget): the same file and fields again change nothing (no new version, no file left). */
    @Test
    void addTargetAgainWithTheSameFileAndFieldsChangesNothing() throws Exception {
        TargetFile first = add("models/a.nfm", "model a", 3);
        Map<String, String> before = tree(tmp.resolve("repo"));
        TargetFile again = add("models/a.nfm", "model a", 3);
        assertEquals(first.hashes(), again.hashes());
        assertEquals(first.custom(), again.custom());
        assertEquals(2, repo.latestVersion("targets"), "no new targets version");
        assertEquals(before, tree(tmp.resolve("repo")));
    }

    @Test
    void addTargetRefusesOtherBytesOrFieldsUnderAPublishedName() throws Exception {
        add("models/a.nfm", "model a", 3);
        PublishException e = assertAddRefused(PublishException.Reason.TARGET_IMMUTABLE, "model a, retrained", 4);
        assertEquals("target models/a.nfm is published and immutable; publish under a new name", e.getMessage());
        assertAddRefused(PublishException.Reason.TARGET_IMMUTABLE, "model a", 4); // same bytes, other fields
        e = assertAddRefused(PublishException.Reason.RELEASE_COUNTER_LOWERED, "model a, older", 2);
        assertTrue(e.getMessage().startsWith("target models/a.nfm is published with release counter 3; 2 would lower it"),
                e.getMessage());
        assertAddRefused(PublishException.Reason.RELEASE_COUNTER_LOWERED, "model a", 1);
        add("models/a-v2.nfm", "model a, retrained", 4); // the way to publish it
    }

    TargetFile add(String name, String content, long releaseCounter) throws Exception {
        Path f = Files.writeString(Files.createTempFile(tmp, "t", ".bin"), content);
        return repo.addTarget(f, name, TargetKind.ANOMALY_MODEL.custom(List.of("rpi4"), releaseCounter), "targets",
                List.of(local.key));
    }

    PublishException assertAddRefused(PublishException.Reason reason, String content, long releaseCounter) throws Exception {
        Map<String, String> before = tree(tmp.resolve("repo"));
        PublishException e = assertThrows(PublishException.class, () -> add("models/a.nfm", content, releaseCounter));
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(before, tree(tmp.resolve("repo")), "nothing written, nothing left behind");
        return e;
    }

    /** Refused with {@code reason}, and every file of the repository is byte for byte what it was. */
    PublishException assertRefused(PublishException.Reason reason, byte[] metadata, Map<String, Path> files) throws Exception {
        Map<String, String> before = tree(tmp.resolve("repo"));
        long version = repo.latestVersion("targets");
        PublishException e = assertThrows(PublishException.class, () -> repo.publishSignedTargets(metadata, files));
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(before, tree(tmp.resolve("repo")), "nothing written, nothing left behind");
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
}
