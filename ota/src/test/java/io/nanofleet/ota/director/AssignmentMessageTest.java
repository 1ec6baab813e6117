package io.nanofleet.ota.director;

import io.nanofleet.ota.client.Updater;
import io.nanofleet.ota.client.UpdaterConfig;
import io.nanofleet.ota.crypto.KeyType;
import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.metadata.TufException;
import io.nanofleet.ota.repo.DirectoryFetcher;
import io.nanofleet.ota.repo.Repository;
import io.nanofleet.ota.repo.RoleSpec;
import io.nanofleet.ota.repo.TargetKind;
import io.nanofleet.ota.testing.TestClock;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.v1.Assignment;
import io.nanofleet.protocols.v1.MessageKind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Assignment message the director builds, and the verifier's check of its one clear field. */
class AssignmentMessageTest {
    @TempDir
    Path tmp;

    final TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
    final TufSigner key = TufSigner.generate(KeyType.ED25519);
    final TufSigner directorKey = TufSigner.generate(KeyType.ED25519);
    Repository repo;
    Updater device;
    TargetFile target;

    @BeforeEach
    void init() throws Exception {
        repo = new Repository(tmp.resolve("repo"), clock);
        RoleSpec spec = RoleSpec.of(1, key.publicKey());
        repo.init(Map.of("root", spec, "targets", spec, "snapshot", spec, "timestamp", spec,
                        "director", RoleSpec.of(1, directorKey.publicKey())),
                Map.of("root", List.of(key), "targets", List.of(key), "snapshot", List.of(key), "timestamp", List.of(key)));
        target = repo.addTarget(Files.writeString(tmp.resolve("m"), "weights"), "models/m.nfm",
                TargetKind.ANOMALY_MODEL.custom(List.of("rpi4"), 3), "targets", List.of(key));
        repo.refresh(List.of(key), List.of(key));
        Updater.initialize(tmp.resolve("device"), repo.rootBytes(), clock);
        device = new Updater(new UpdaterConfig(tmp.resolve("device"), repo.metadataDir().toUri(), repo.targetsDir().toUri()),
                new DirectoryFetcher(), clock);
        device.refresh();
    }

    Assignment message() {
        return new DirectorSigner(List.of(directorKey)).assignment(
                DirectorAssignment.of("pump-7", "rpi4", target, 42, clock.instant().plus(Duration.ofDays(7))));
    }

    @Test
    void carriesTheSignatureAndNoUnsignedCopies() throws Exception {
        Assignment a = message();
        assertEquals(Codecs.SCHEMA_VERSION, a.getSchemaVersion());
        assertEquals(MessageKind.ASSIGNMENT, a.getKind());
        assertEquals("pump-7", a.getDeviceId());
        assertEquals("models/m.nfm", a.getTargetName());
        assertEquals(0, a.getLength());
        assertTrue(a.getHashesMap().isEmpty());
        assertEquals("", a.getHardwareId());
        assertEquals(0, a.getReleaseCounter());
        assertEquals("", a.getTargetKind());
        assertEquals("", a.getDownloadUrl());
        Assignment decoded = Codecs.ASSIGNMENT.decode(Codecs.ASSIGNMENT.encode(a));
        DirectorAssignment signed = new AssignmentVerifier("pump-7", "rpi4").parse(decoded, device.root(), clock.instant(), 0);
        assertEquals(DirectorAssignment.of("pump-7", "rpi4", target, 42, signed.expires()), signed);
        AssignmentVerifier.Verified v = new AssignmentVerifier("pump-7", "rpi4").check(decoded, device, clock.instant(), 0, 0);
        assertEquals(target.hashes(), v.target().hashes());
    }

    @Test
    void aClearTargetNameOtherThanTheSignedOneIsRefused() {
        Assignment relabelled = message().toBuilder().setTargetName("models/other.nfm").build();
        AssignmentVerifier verifier = new AssignmentVerifier("pump-7", "rpi4");
        TufException.AssignmentException e = assertThrows(TufException.AssignmentException.class,
                () -> verifier.check(relabelled, device, clock.instant(), 0, 0));
        assertEquals("assignment names target models/other.nfm but the director signed models/m.nfm", e.getMessage());
        assertThrows(TufException.AssignmentException.class, () -> verifier.parse(relabelled, device.root(), clock.instant(), 0));
    }

    @Test
    void anEmptyClearTargetNameIsFine() throws Exception {
        Assignment bare = message().toBuilder().clearTargetName().build();
        assertEquals("models/m.nfm", new AssignmentVerifier("pump-7", "rpi4").check(bare, device, clock.instant(), 0, 0)
                .assignment().targetName());
    }
}
