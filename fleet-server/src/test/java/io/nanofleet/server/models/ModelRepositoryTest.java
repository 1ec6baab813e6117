package io.nanofleet.server.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.ota.crypto.KeyType;
import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.director.AssignmentVerifier;
import io.nanofleet.ota.director.DirectorAssignment;
import io.nanofleet.ota.metadata.Metadata;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.repo.Repository;
import io.nanofleet.ota.repo.TargetKind;
import io.nanofleet.protocols.v1.Assignment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's update repository: online and offline publishing, freshness, director assignments, target lookup. */
class ModelRepositoryTest {
    @TempDir
    Path dir;

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }

    Path model(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void onlinePublishIsServedAndAssignmentsVerifyAgainstRoot() throws Exception {
        ModelRepository repo = ModelRepository.openOrCreate(dir, Clock.systemUTC(), Duration.ofDays(1), true);
        assertTrue(repo.hasOnlineTargetsKey());
        TargetFile t = repo.publish(model("m.nfm", "int8 weights"), "models/m.nfm", TargetKind.ANOMALY_MODEL, List.of("rpi4"), 4);
        assertEquals(12, t.length());
        assertEquals(List.of("models/m.nfm"), repo.models().stream().map(TargetFile::name).toList());
        assertArrayEquals("int8 weights".getBytes(), Files.readAllBytes(repo.target("models/m.nfm").orElseThrow()));
        assertTrue(repo.target("models/../../keys/targets.key").isEmpty(), "no path traversal");
        assertTrue(repo.target("models/none.nfm").isEmpty());
        // Published metadata: snapshot and timestamp re-signed after the publish (version 2 of each).
        assertTrue(repo.metadata("1.root.json").isPresent());
        assertEquals(2, Metadata.parse(repo.metadata("timestamp.json").orElseThrow(), "timestamp").version());
        assertTrue(repo.metadata("../keys/password").isEmpty());

        Assignment a = repo.assign("pump-7", "rpi4", t);
        DirectorAssignment da = new AssignmentVerifier("pump-7", "rpi4").parse(a, repo.rootForDevices(), Instant.now(), 0);
        assertEquals("models/m.nfm", da.targetName());
        assertEquals("models/m.nfm", a.getTargetName(), "the one clear field, checked against the signed one");
        assertEquals(t.hashes(), da.hashes());
        assertTrue(a.getLength() == 0 && a.getHashesMap().isEmpty() && a.getReleaseCounter() == 0 && a.getDownloadUrl().isEmpty(),
                "no unsigned copies of the signed fields");
        Assignment next = repo.assign("pump-7", "rpi4", t);
        DirectorAssignment nextSigned = new AssignmentVerifier("pump-7", "rpi4")
                .parse(next, repo.rootForDevices(), Instant.now(), da.version());
        assertTrue(nextSigned.releaseCounter() == 4 && nextSigned.version() > da.version(), "director versions rise");
    }

    @Test
    void keysAndRepositorySurviveARestart() throws Exception {
        ModelRepository first = ModelRepository.openOrCreate(dir, Clock.systemUTC(), Duration.ofDays(1), true);
        first.publish(model("m.nfm", "x"), "models/m.nfm", TargetKind.ANOMALY_MODEL, List.of("rpi4"), 1);
        byte[] root = first.rootBytes();
        ModelRepository second = ModelRepository.openOrCreate(dir, Clock.systemUTC(), Duration.ofDays(1), true);
        assertArrayEquals(root, second.rootBytes());
        assertTrue(second.model("models/m.nfm").isPresent());
    }

    @Test
    void timestampIsRefreshedOnlyWhenHalfItsLifetimeHasPassed() throws Exception {
        MovableClock clock = new MovableClock();
        ModelRepository repo = ModelRepository.openOrCreate(dir, clock, Duration.ofHours(2), true);
        assertFalse(repo.refreshIfDue());
        clock.now.set(clock.now.get().plus(Duration.ofMinutes(61)));
        assertTrue(repo.refreshIfDue());
        Metadata ts = Metadata.parse(repo.metadata("timestamp.json").orElseThrow(), "timestamp");
        assertEquals(clock.now.get().plus(Duration.ofHours(2)).getEpochSecond(), ts.expires().getEpochSecond());
        assertFalse(repo.refreshIfDue());
    }

    /** What an operator does offline with the ota tooling: sign the next targets version with the targets key. */
    byte[] signOffline(Path file, String name, TufSigner targetsKey) throws Exception {
        Path copy = dir.resolve("offline");
        copyTree(dir.resolve("tuf"), copy);
        Repository offline = new Repository(copy, Clock.systemUTC());
        offline.addTarget(file, name, TargetKind.ANOMALY_MODEL.custom(List.of("rpi4"), 5), "targets", List.of(targetsKey));
        long v = offline.latestVersion("targets");
        byte[] out = Files.readAllBytes(copy.resolve("metadata").resolve(v + ".targets.json"));
        deleteTree(copy);
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
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }

    @Test
    void offlineSignedTargetsAreCheckedBeforeAnythingChanges() throws Exception {
        ModelRepository repo = ModelRepository.openOrCreate(dir, Clock.systemUTC(), Duration.ofDays(1), true);
        TufSigner targetsKey = RepositoryKeys.open(dir).load("targets").orElseThrow();
        Path file = model("o.nfm", "offline model");
        byte[] good = signOffline(file, "models/o.nfm", targetsKey);

        byte[] forged = signOffline(file, "models/o.nfm", TufSigner.generate(KeyType.ED25519));
        ModelException e = assertThrows(ModelException.class, () -> repo.publishSigned(file, "models/o.nfm", forged));
        assertEquals(ModelException.Reason.INVALID_METADATA, e.reason());
        assertEquals(400, ModelRoutes.status(e.reason()));
        assertTrue(e.getMessage().contains("not signed by root's targets key"), e.getMessage());

        Path other = model("other.nfm", "not the signed bytes");
        e = assertThrows(ModelException.class, () -> repo.publishSigned(other, "models/o.nfm", good));
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
        assertEquals(ModelException.Reason.FILE_MISMATCH, e.reason());

        e = assertThrows(ModelException.class, () -> repo.publishSigned(file, "models/absent.nfm", good));
        assertTrue(e.getMessage().contains("does not list"), e.getMessage());
        assertEquals(ModelException.Reason.FILE_MISMATCH, e.reason());

        e = assertThrows(ModelException.class, () -> repo.publishSigned(file, "models/o.nfm", "{\"signed\":1}".getBytes()));
        assertEquals(400, ModelRoutes.status(e.reason()));
        assertEquals(ModelException.Reason.INVALID_METADATA, e.reason());
        assertTrue(repo.models().isEmpty(), "nothing published by refused uploads");

        TargetFile t = repo.publishSigned(file, "models/o.nfm", good);
        assertEquals(13, t.length());
        assertArrayEquals("offline model".getBytes(), Files.readAllBytes(repo.target("models/o.nfm").orElseThrow()));
        e = assertThrows(ModelException.class, () -> repo.publishSigned(file, "models/o.nfm", good));
        assertEquals(ModelException.Reason.STALE_VERSION, e.reason());
        assertEquals(409, ModelRoutes.status(e.reason()), "the same version twice is stale");
    }

    /** Root v1 and targets v1 as the operator's nanofleet-ota init --online-keys writes them, for these online keys. */
    static byte[][] operatorRoot(Path operatorDir, java.util.Map<String, io.nanofleet.ota.crypto.TufKey> online,
                                 TufSigner rootKey, TufSigner targetsKey) throws Exception {
        java.util.Map<String, io.nanofleet.ota.repo.RoleSpec> specs = new java.util.LinkedHashMap<>();
        specs.put("root", io.nanofleet.ota.repo.RoleSpec.of(1, rootKey.publicKey()));
        specs.put("targets", io.nanofleet.ota.repo.RoleSpec.of(1, targetsKey.publicKey()));
        online.forEach((role, k) -> specs.put(role, io.nanofleet.ota.repo.RoleSpec.of(1, k)));
        Repository op = new Repository(operatorDir, Clock.systemUTC());
        op.initOffline(specs, java.util.Map.of("root", List.of(rootKey), "targets", List.of(targetsKey)));
        return new byte[][] {Files.readAllBytes(op.metadataDir().resolve("1.root.json")),
            Files.readAllBytes(op.metadataDir().resolve("1.targets.json"))};
    }

    @Test
    void offlineByDefaultTheServerHoldsOnlyOnlineKeysAndWaitsForTheOperatorsRoot() throws Exception {
        ModelRepository repo = ModelRepository.openOrCreate(dir, Clock.systemUTC(), Duration.ofDays(1));
        try (var files = Files.list(dir.resolve("keys"))) {
            assertEquals(List.of("director.key", "password", "snapshot.key", "timestamp.key"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertFalse(repo.hasRoot());
        assertFalse(repo.hasOnlineTargetsKey());
        assertEquals(List.of(), repo.models());
        assertFalse(repo.refreshIfDue(), "nothing to sign without a root");
        ModelException e = assertThrows(ModelException.class,
                () -> repo.publish(model("m.nfm", "x"), "models/m.nfm", TargetKind.ANOMALY_MODEL, List.of("rpi4"), 1));
        assertEquals(ModelException.Reason.NO_ROOT, e.reason());
        assertEquals(409, ModelRoutes.status(e.reason()));
        assertTrue(e.getMessage().contains("init --online-keys"), e.getMessage());

        // A root naming another director key is refused, naming the role.
        TufSigner rootKey = TufSigner.generate(KeyType.ED25519);
        TufSigner targetsKey = TufSigner.generate(KeyType.ED25519);
        var wrong = new java.util.LinkedHashMap<>(repo.onlineKeys());
        wrong.put("director", TufSigner.generate(KeyType.ED25519).publicKey());
        byte[][] bad = operatorRoot(dir.resolve("op-bad"), wrong, rootKey, targetsKey);
        e = assertThrows(ModelException.class, () -> repo.installRoot(bad[0], bad[1]));
        assertEquals(ModelException.Reason.ONLINE_KEYS_DIFFER, e.reason());
        assertEquals(400, ModelRoutes.status(e.reason()));
        assertTrue(e.getMessage().contains("director"), e.getMessage());
        assertFalse(repo.hasRoot());

        byte[][] good = operatorRoot(dir.resolve("op"), repo.onlineKeys(), rootKey, targetsKey);
        assertEquals(1, repo.installRoot(good[0], good[1]).version());
        assertTrue(repo.hasRoot());
        assertTrue(repo.metadata("timestamp.json").isPresent(), "snapshot and timestamp signed by the server");
        e = assertThrows(ModelException.class, () -> repo.installRoot(good[0], good[1]));
        assertEquals(ModelException.Reason.ROOT_EXISTS, e.reason());
        assertEquals(409, ModelRoutes.status(e.reason()));

        // The next model: signed with the operator's targets key, published with the server's online keys only.
        Repository op = new Repository(dir.resolve("op"), Clock.systemUTC());
        Path file = model("o.nfm", "offline model");
        op.addTarget(file, "models/o.nfm", TargetKind.ANOMALY_MODEL.custom(List.of("rpi4"), 1), "targets", List.of(targetsKey));
        repo.publishSigned(file, "models/o.nfm", Files.readAllBytes(op.metadataDir().resolve("2.targets.json")));
        assertEquals(List.of("models/o.nfm"), repo.models().stream().map(TargetFile::name).toList());
        e = assertThrows(ModelException.class,
                () -> repo.publish(model("m.nfm", "x"), "models/m.nfm", TargetKind.ANOMALY_MODEL, List.of("rpi4"), 2));
        assertEquals(ModelException.Reason.NO_TARGETS_KEY, e.reason(), "no online signing");
        try (var files = Files.list(dir.resolve("keys"))) {
            assertEquals(4, files.count(), "still no root or targets key on the server");
        }
    }

    @Test
    void aPublishedNameIsImmutableOnlineAndOffline() throws Exception {
        ModelRepository repo = ModelRepository.openOrCreate(dir, Clock.systemUTC(), Duration.ofDays(1), true);
        TargetFile a = repo.publish(model("a.nfm", "model a"), "models/a.nfm", TargetKind.ANOMALY_MODEL, List.of("rpi4"), 2);
        byte[] timestamp = repo.metadata("timestamp.json").orElseThrow();
        TargetFile again = repo.publish(model("a-again.nfm", "model a"), "models/a.nfm", TargetKind.ANOMALY_MODEL,
                List.of("rpi4"), 2);
        assertEquals(a.hashes(), again.hashes());
        assertTrue(repo.metadata("3.targets.json").isEmpty(), "the same file and fields again publish nothing new");
        assertArrayEquals(timestamp, repo.metadata("timestamp.json").orElseThrow(), "nor re-sign snapshot and timestamp");

        ModelException e = assertThrows(ModelException.class, () -> repo.publish(model("b.nfm", "model b"), "models/a.nfm",
                TargetKind.ANOMALY_MODEL, List.of("rpi4"), 3));
        assertEquals(ModelException.Reason.TARGET_IMMUTABLE, e.reason());
        assertEquals(409, ModelRoutes.status(e.reason()));
        assertEquals("target models/a.nfm is published and immutable; publish under a new name", e.getMessage());
        e = assertThrows(ModelException.class, () -> repo.publish(model("old.nfm", "model a, older"), "models/a.nfm",
                TargetKind.ANOMALY_MODEL, List.of("rpi4"), 1));
        assertEquals(ModelException.Reason.RELEASE_COUNTER_LOWERED, e.reason());
        assertEquals(409, ModelRoutes.status(e.reason()));

        TufSigner targetsKey = RepositoryKeys.open(dir).load("targets").orElseThrow();
        byte[] other = "model b, offline".getBytes();
        byte[] replacing = OfflineTargets.next(dir.resolve("tuf"), targetsKey, "models/a.nfm", other, TargetKind.ANOMALY_MODEL, 3);
        Path otherFile = Files.write(dir.resolve("b-offline.nfm"), other);
        e = assertThrows(ModelException.class, () -> repo.publishSigned(otherFile, "models/a.nfm", replacing));
        assertEquals(ModelException.Reason.TARGET_IMMUTABLE, e.reason());
        byte[] lowering = OfflineTargets.next(dir.resolve("tuf"), targetsKey, "models/a.nfm", other, TargetKind.ANOMALY_MODEL, 1);
        e = assertThrows(ModelException.class, () -> repo.publishSigned(otherFile, "models/a.nfm", lowering));
        assertEquals(ModelException.Reason.RELEASE_COUNTER_LOWERED, e.reason());
        assertArrayEquals("model a".getBytes(), Files.readAllBytes(repo.target("models/a.nfm").orElseThrow()), "still the first file");
    }

    @Test
    void withoutTheTargetsKeyOnlineSigningIsRefused() throws Exception {
        ModelRepository.openOrCreate(dir, Clock.systemUTC(), Duration.ofDays(1), true);
        Files.move(dir.resolve("keys/targets.key"), dir.resolve("targets.key.offline"));
        ModelRepository repo = ModelRepository.openOrCreate(dir, Clock.systemUTC(), Duration.ofDays(1), true);
        assertFalse(repo.hasOnlineTargetsKey());
        ModelException e = assertThrows(ModelException.class,
                () -> repo.publish(model("m.nfm", "x"), "models/m.nfm", TargetKind.ANOMALY_MODEL, List.of("rpi4"), 1));
        assertEquals(ModelException.Reason.NO_TARGETS_KEY, e.reason());
        assertEquals(409, ModelRoutes.status(e.reason()));
    }

    @Test
    void byteRanges() {
        assertArrayEquals(new long[] {0, 99}, ByteRange.parse("bytes=0-", 100));
        assertArrayEquals(new long[] {10, 19}, ByteRange.parse("bytes=10-19", 100));
        assertArrayEquals(new long[] {90, 99}, ByteRange.parse("bytes=-10", 100));
        assertArrayEquals(new long[] {50, 99}, ByteRange.parse("bytes=50-1000", 100));
        assertEquals(null, ByteRange.parse("bytes=100-", 100));
        assertEquals(null, ByteRange.parse("bytes=5-2", 100));
        assertEquals(null, ByteRange.parse("bytes=0-1,5-6", 100));
        assertEquals(null, ByteRange.parse("items=0-1", 100));
        assertEquals(null, ByteRange.parse("bytes=x-", 100));
    }
}
