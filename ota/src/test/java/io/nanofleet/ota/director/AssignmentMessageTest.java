package io.nanofleet.ota.director;

import io.nanofleet.ota.client.Updater;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.metadata.TufException;
import io.nanofleet.ota.testing.LocalRepo;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.v1.Assignment;
import io.nanofleet.protocols.v1.MessageKind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Assignment message the director builds, and the verifier's check of its one clear field. */
class AssignmentMessageTest {
    @TempDir
    Path tmp;

    LocalRepo local;
    Updater device;
    TargetFile target;

    @BeforeEach
    void init() throws Exception {
        local = new LocalRepo(tmp);
        target = local.publish("models/m.nfm", "weights");
        device = local.device();
    }

    Assignment message() {
        return new DirectorSigner(List.of(local.director)).assignment(
                DirectorAssignment.of("pump-7", "rpi4", target, 42, local.clock.instant().plus(Duration.ofDays(7))));
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
        DirectorAssignment signed = new AssignmentVerifier("pump-7", "rpi4").parse(decoded, device.root(), local.clock.instant(), 0);
        assertEquals(DirectorAssignment.of("pump-7", "rpi4", target, 42, signed.expires()), signed);
        AssignmentVerifier.Verified v = new AssignmentVerifier("pump-7", "rpi4").check(decoded, device, local.clock.instant(), 0, 0);
        assertEquals(target.hashes(), v.target().hashes());
    }

    @Test
    void aClearTargetNameOtherThanTheSignedOneIsRefused() {
        Assignment relabelled = message().toBuilder().setTargetName("models/other.nfm").build();
        AssignmentVerifier verifier = new AssignmentVerifier("pump-7", "rpi4");
        TufException.AssignmentException e = assertThrows(TufException.AssignmentException.class,
                () -> verifier.check(relabelled, device, local.clock.instant(), 0, 0));
        assertEquals("assignment names target models/other.nfm but the director signed models/m.nfm", e.getMessage());
        assertThrows(TufException.AssignmentException.class, () -> verifier.parse(relabelled, device.root(), local.clock.instant(), 0));
    }

    @Test
    void anEmptyClearTargetNameIsFine() throws Exception {
        Assignment bare = message().toBuilder().clearTargetName().build();
        assertEquals("models/m.nfm", new AssignmentVerifier("pump-7", "rpi4").check(bare, device, local.clock.instant(), 0, 0)
                .assignment().targetName());
    }
}
