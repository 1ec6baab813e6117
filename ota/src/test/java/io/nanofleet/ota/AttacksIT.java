package io.nanofleet.ota;

import io.nanofleet.ota.client.HttpFetcher;
import io.nanofleet.ota.client.Updater;
import io.nanofleet.ota.client.UpdaterConfig;
import io.nanofleet.ota.director.AssignmentVerifier;
import io.nanofleet.ota.install.InstallException;
import io.nanofleet.ota.install.UpdateAgent;
import io.nanofleet.ota.transfer.HttpTransport;
import io.nanofleet.ota.transfer.StallGuard;
import io.nanofleet.ota.install.InstalledModel;
import io.nanofleet.ota.install.SlotStore;
import io.nanofleet.ota.install.UpdateResult;
import io.nanofleet.ota.json.Json;
import io.nanofleet.ota.metadata.Metadata;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.metadata.TufException;
import io.nanofleet.ota.repo.Signing;
import io.nanofleet.ota.testing.Fleet;
import io.nanofleet.protocols.v1.Assignment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One test per attack in the TUF specification's threat list (plus Uptane's compromised director and a
 * release-counter downgrade). Each mounts the attack against a device that already runs a confirmed
 * model, and asserts the install is refused with a typed reason and that model is untouched.
 */
class AttacksIT {
    @TempDir
    Path tmp;
    Fleet f;
    InstalledModel base;
    byte[] baseBytes = "baseline anomaly model v5".getBytes(StandardCharsets.UTF_8);

    @BeforeEach
    void setUp() throws Exception {
        f = new Fleet(tmp);
        base = f.installBaseline(baseBytes, 5);
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    private TufException refused(byte[] assignment, UpdateResult expected) throws IOException {
        SlotStore s = f.slots();
        InstallException e = assertThrows(InstallException.class, () -> f.agent(s).apply(assignment));
        assertEquals(expected, e.result(), e.getMessage());
        assertUntouched();
        return (TufException) e.getCause();
    }

    private void assertUntouched() throws IOException {
        SlotStore reopened = f.slots();
        InstalledModel now = reopened.active().orElseThrow();
        assertEquals(base.slot(), now.slot());
        assertEquals(base.sha256(), now.sha256());
        assertFalse(now.trial());
        assertArrayEquals(baseBytes, Files.readAllBytes(now.payload()));
        assertFalse(Files.exists(tmp.resolve("device/slots/" + (base.slot().equals("a") ? "b" : "a") + "/payload")),
                "nothing written as a complete payload in the inactive slot");
    }

    private String targetPath(TargetFile t) {
        return "targets/" + t.consistentName();
    }

    private byte[] latestBytes(String file) throws IOException {
        return Files.readAllBytes(f.repo.metadataDir().resolve(file));
    }

    @Test
    void arbitraryInstallation_replacedTargetBytes() throws Exception {
        TargetFile v6 = f.publish("models/anomaly-v6.nfm", bytes("good v6 model"), List.of(Fleet.HW), 6);
        f.server.override(targetPath(v6), bytes("evil v6 model"));
        TufException e = refused(f.assign(v6, Fleet.HW, 6), UpdateResult.INTEGRITY_CHECK_FAILURE);
        assertInstanceOf(TufException.LengthOrHashException.class, e);
        assertFalse(Files.exists(tmp.resolve("device/slots/b/payload.part")), "bad bytes discarded");
    }

    @Test
    void arbitraryInstallation_targetsSignedByUnknownKey() throws Exception {
        TargetFile v6 = f.publish("models/anomaly-v6.nfm", bytes("good v6 model"), List.of(Fleet.HW), 6);
        long tv = f.repo.latestVersion("targets");
        Metadata md = Metadata.parse(latestBytes(tv + ".targets.json"), "targets");
        byte[] forged = Signing.document(md.signed(), List.of(io.nanofleet.ota.crypto.TufSigner.generate(
                io.nanofleet.ota.crypto.KeyType.ED25519)));
        f.server.override("metadata/" + tv + ".targets.json", forged);
        TufException e = refused(f.assign(v6, Fleet.HW, 6), UpdateResult.INTEGRITY_CHECK_FAILURE);
        assertTrue(e instanceof TufException.LengthOrHashException || e instanceof TufException.SignatureException, e.toString());
    }

    @Test
    void endlessData_metadata() throws Exception {
        TargetFile v6 = f.publish("models/anomaly-v6.nfm", bytes("v6"), List.of(Fleet.HW), 6);
        f.server.behave("metadata/timestamp.json", ex -> endless(ex, new byte[0]));
        TufException e = refused(f.assign(v6, Fleet.HW, 6), UpdateResult.INTEGRITY_CHECK_FAILURE);
        assertInstanceOf(TufException.LengthOrHashException.class, e);
    }

    @Test
    void endlessData_target() throws Exception {
        byte[] good = bytes("v6 model with a trusted length");
        TargetFile v6 = f.publish("models/anomaly-v6.nfm", good, List.of(Fleet.HW), 6);
        f.server.behave(targetPath(v6), ex -> endless(ex, good));
        TufException e = refused(f.assign(v6, Fleet.HW, 6), UpdateResult.INTEGRITY_CHECK_FAILURE);
        assertInstanceOf(TufException.LengthOrHashException.class, e);
        assertTrue(e.getMessage().contains("more than the trusted"), e.getMessage());
    }

    @Test
    void fastForward_compromisedTimestampKeyThenRecovery() throws Exception {
        TargetFile v6 = f.publish("models/anomaly-v6.nfm", bytes("v6"), List.of(Fleet.HW), 6);
        Map<String, Object> ts = new LinkedHashMap<>(Metadata.parse(latestBytes("timestamp.json"), "timestamp").signed());
        ts.put("version", 1_000_000L);
        f.server.override("metadata/timestamp.json", Signing.document(ts, List.of(f.timestamp)));
        f.updater().refresh(); // the stolen key is valid, so the device now trusts timestamp v1000000
        f.server.reset();
        // Attack effect: the repository's genuine next timestamp now looks like a rollback.
        f.repo.refresh(List.of(f.snapshot), List.of(f.timestamp));
        TufException e = refused(f.assign(v6, Fleet.HW, 6), UpdateResult.INTEGRITY_CHECK_FAILURE);
        assertInstanceOf(TufException.VersionException.class, e);
        // Recovery (spec 5.3.11): root rotates the timestamp key; the old trusted timestamp no longer verifies.
        io.nanofleet.ota.crypto.TufSigner newTs = io.nanofleet.ota.crypto.TufSigner.generate(io.nanofleet.ota.crypto.KeyType.ED25519);
        f.repo.rotateRoot(f.roles(newTs), List.of(f.root));
        f.repo.refresh(List.of(f.snapshot), List.of(newTs));
        SlotStore s = f.slots();
        InstalledModel m = f.agent(s).apply(f.assign(v6, Fleet.HW, 6));
        assertArrayEquals(bytes("v6"), Files.readAllBytes(m.payload()));
    }

    @Test
    void indefiniteFreeze_expiredMetadataReplayed() throws Exception {
        TargetFile v6 = f.publish("models/anomaly-v6.nfm", bytes("v6"), List.of(Fleet.HW), 6);
        // The server keeps replaying today's (validly signed) metadata while time moves on.
        f.clock.advance(Duration.ofDays(2));
        TufException e = refused(f.assign(v6, Fleet.HW, 6), UpdateResult.INTEGRITY_CHECK_FAILURE);
        assertInstanceOf(TufException.ExpiredException.class, e);
        assertTrue(e.getMessage().contains("timestamp"), e.getMessage());
    }

    @Test
    void mixAndMatch_oldTargetsUnderNewSnapshot() throws Exception {
        long oldTargets = f.repo.latestVersion("targets");
        byte[] old = latestBytes(oldTargets + ".targets.json");
        TargetFile v6 = f.publish("models/anomaly-v6.nfm", bytes("v6"), List.of(Fleet.HW), 6);
        f.server.override("metadata/" + f.repo.latestVersion("targets") + ".targets.json", old);
        TufException e = refused(f.assign(v6, Fleet.HW, 6), UpdateResult.INTEGRITY_CHECK_FAILURE);
        assertInstanceOf(TufException.LengthOrHashException.class, e);
    }

    @Test
    void mixAndMatch_snapshotVersionNotTheOneTimestampNames() throws Exception {
        long oldSnap = f.repo.latestVersion("snapshot");
        byte[] old = latestBytes(oldSnap + ".snapshot.json");
        TargetFile v6 = f.publish("models/anomaly-v6.nfm", bytes("v6"), List.of(Fleet.HW), 6);
        // A timestamp (key held online) that names the old snapshot's bytes under the new version.
        Map<String, Object> ts = new LinkedHashMap<>(Metadata.parse(latestBytes("timestamp.json"), "timestamp").signed());
        Map<String, Object> ref = new LinkedHashMap<>();
        ref.put("version", oldSnap + 1);
        ts.put("meta", Map.of("snapshot.json", ref));
        f.server.override("metadata/timestamp.json", Signing.document(ts, List.of(f.timestamp)));
        f.server.override("metadata/" + (oldSnap + 1) + ".snapshot.json", old);
        TufException e = refused(f.assign(v6, Fleet.HW, 6), UpdateResult.INTEGRITY_CHECK_FAILURE);
        assertInstanceOf(TufException.VersionException.class, e);
    }

    @Test
    void rollback_olderTimestampReplayed() throws Exception {
        byte[] oldTimestamp = latestBytes("timestamp.json");
        TargetFile v6 = f.publish("models/anomaly-v6.nfm", bytes("v6"), List.of(Fleet.HW), 6);
        f.updater().refresh(); // device learns the newer timestamp
        f.server.override("metadata/timestamp.json", oldTimestamp);
        TufException e = refused(f.assign(v6, Fleet.HW, 6), UpdateResult.INTEGRITY_CHECK_FAILURE);
        assertInstanceOf(TufException.VersionException.class, e);
        assertTrue(e.getMessage().contains("older than trusted"), e.getMessage());
    }

    @Test
    void keyCompromiseBelowThreshold_oneOfTwoTargetsKeys() throws Exception {
        // Attacker holds the online keys and ONE of the two required targets keys.
        Path evil = tmp.resolve("evil.bin");
        Files.write(evil, bytes("evil model"));
        TargetFile t = f.repo.addTarget(evil, "models/evil.nfm",
                io.nanofleet.ota.repo.TargetKind.ANOMALY_MODEL.custom(List.of(Fleet.HW), 99), "targets", List.of(f.targets1));
        f.repo.refresh(List.of(f.snapshot), List.of(f.timestamp));
        TufException e = refused(f.assign(t, Fleet.HW, 99), UpdateResult.INTEGRITY_CHECK_FAILURE);
        assertInstanceOf(TufException.SignatureException.class, e);
        assertTrue(e.getMessage().contains("1 valid signature(s), threshold is 2"), e.getMessage());
    }

    @Test
    void wrongSoftwareInstallation_hardwareIdMismatch() throws Exception {
        TargetFile other = f.publish("models/anomaly-rpi3.nfm", bytes("rpi3 build"), List.of("rpi3"), 6);
        // A director that claims the build fits this device's hardware.
        TufException e = refused(f.assign(other, Fleet.HW, 6), UpdateResult.INTEGRITY_CHECK_FAILURE);
        assertInstanceOf(TufException.AssignmentException.class, e);
        assertTrue(e.getMessage().contains("does not list hardware rpi4"), e.getMessage());
        TufException e2 = refused(f.assign(other, "rpi3", 6), UpdateResult.INTEGRITY_CHECK_FAILURE);
        assertTrue(e2.getMessage().contains("hardware rpi3"), e2.getMessage());
    }

    @Test
    void maliciousMirror_tamperedMetadata() throws Exception {
        TargetFile v6 = f.publish("models/anomaly-v6.nfm", bytes("v6"), List.of(Fleet.HW), 6);
        Map<String, Object> doc = Json.parseObject(latestBytes("timestamp.json"));
        @SuppressWarnings("unchecked")
        Map<String, Object> signed = (Map<String, Object>) doc.get("signed");
        signed.put("expires", "2099-01-01T00:00:00Z"); // mirror tries to extend the freshness window
        f.server.override("metadata/timestamp.json", Json.pretty(doc));
        TufException e = refused(f.assign(v6, Fleet.HW, 6), UpdateResult.INTEGRITY_CHECK_FAILURE);
        assertInstanceOf(TufException.SignatureException.class, e);
    }

    @Test
    void compromisedDirectorAlone_targetNotInImageRepo() throws Exception {
        byte[] evil = bytes("evil model");
        Path p = tmp.resolve("repo/targets/models/evil.nfm");
        Files.createDirectories(p.getParent());
        Files.write(p, evil);
        TufException e = refused(f.assign("models/evil.nfm", evil.length,
                Map.of("sha256", io.nanofleet.ota.metadata.Hashes.sha256Hex(evil)), Fleet.HW, 99),
                UpdateResult.INTEGRITY_CHECK_FAILURE);
        assertInstanceOf(TufException.TargetNotFoundException.class, e);
    }

    @Test
    void compromisedDirectorAlone_hashDisagreesWithImageRepo() throws Exception {
        TargetFile v6 = f.publish("models/anomaly-v6.nfm", bytes("v6"), List.of(Fleet.HW), 6);
        byte[] evil = bytes("ev");
        TufException e = refused(f.assign(v6.name(), evil.length,
                Map.of("sha256", io.nanofleet.ota.metadata.Hashes.sha256Hex(evil)), Fleet.HW, 6),
                UpdateResult.INTEGRITY_CHECK_FAILURE);
        assertInstanceOf(TufException.AssignmentException.class, e);
    }

    @Test
    void compromisedDirectorAlone_assignmentSignedByOtherKey() throws Exception {
        TargetFile v6 = f.publish("models/anomaly-v6.nfm", bytes("v6"), List.of(Fleet.HW), 6);
        byte[] forged = new io.nanofleet.ota.director.DirectorSigner(List.of(f.snapshot)).sign(
                new io.nanofleet.ota.director.DirectorAssignment(Fleet.DEVICE, v6.name(), v6.length(), v6.hashes(), Fleet.HW, 6, 100,
                        f.clock.instant().plusSeconds(3600)));
        TufException e = refused(forged, UpdateResult.INTEGRITY_CHECK_FAILURE);
        assertInstanceOf(TufException.SignatureException.class, e);
    }

    @Test
    void assignmentMessageNamingAnotherTargetInTheClear() throws Exception {
        TargetFile v6 = f.publish("models/anomaly-v6.nfm", bytes("v6"), List.of(Fleet.HW), 6);
        TargetFile v7 = f.publish("models/anomaly-v7.nfm", bytes("v7"), List.of(Fleet.HW), 7);
        Assignment signedForV6 = new io.nanofleet.ota.director.DirectorSigner(List.of(f.director)).assignment(
                io.nanofleet.ota.director.DirectorAssignment.of(Fleet.DEVICE, Fleet.HW, v6, 100, f.clock.instant().plusSeconds(3600)));
        Assignment relabelled = signedForV6.toBuilder().setTargetName(v7.name()).build();
        SlotStore s = f.slots();
        InstallException e = assertThrows(InstallException.class, () -> f.agent(s).apply(relabelled));
        assertEquals(UpdateResult.INTEGRITY_CHECK_FAILURE, e.result(), e.getMessage());
        assertInstanceOf(TufException.AssignmentException.class, e.getCause());
        assertTrue(e.getMessage().contains("names target models/anomaly-v7.nfm but the director signed models/anomaly-v6.nfm"),
                e.getMessage());
        assertUntouched();
        // The message as the director built it installs.
        InstalledModel m = f.agent(f.slots()).apply(signedForV6);
        assertArrayEquals(bytes("v6"), Files.readAllBytes(m.payload()));
    }

    @Test
    void releaseCounterDowngrade() throws Exception {
        TargetFile old = f.publish("models/anomaly-v4.nfm", bytes("older build, validly signed"), List.of(Fleet.HW), 4);
        TufException e = refused(f.assign(old, Fleet.HW, 4), UpdateResult.INTEGRITY_CHECK_FAILURE);
        assertTrue(e.getMessage().contains("below the installed 5"), e.getMessage());
        // A director lying about the counter is caught by the image repository's value.
        TufException e2 = refused(f.assign(old, Fleet.HW, 7), UpdateResult.INTEGRITY_CHECK_FAILURE);
        assertTrue(e2.getMessage().contains("image repository says 4"), e2.getMessage());
    }

    @Test
    void replayedOlderAssignmentRefused() throws Exception {
        TargetFile v6 = f.publish("models/anomaly-v6.nfm", bytes("v6"), List.of(Fleet.HW), 6);
        byte[] stale = f.assign(v6, Fleet.HW, 6);
        TargetFile v7 = f.publish("models/anomaly-v7.nfm", bytes("v7"), List.of(Fleet.HW), 7);
        SlotStore s = f.slots();
        f.agent(s).apply(f.assign(v7, Fleet.HW, 7));
        s.confirm();
        InstallException e = assertThrows(InstallException.class, () -> f.agent(f.slots()).apply(stale));
        assertInstanceOf(TufException.VersionException.class, e.getCause());
    }

    @Test
    void slowRetrieval_dripFedMetadataAndTarget() throws Exception {
        byte[] good = new byte[20_000];
        new java.util.Random(3).nextBytes(good);
        TargetFile v6 = f.publish("models/anomaly-v6.nfm", good, List.of(Fleet.HW), 6);
        StallGuard.SpeedLimit limit = new StallGuard.SpeedLimit(1000, Duration.ofSeconds(1));
        // Each chunk arrives well inside the 2 s read timeout, but the average is ~200 B/s.
        byte[] ts = latestBytes("timestamp.json");
        f.server.behave("metadata/timestamp.json", ex -> drip(ex, ts));
        Updater u = new Updater(new UpdaterConfig(tmp.resolve("device/metadata"), f.server.uri("metadata/"), f.server.uri("targets/")),
                new HttpFetcher(Duration.ofSeconds(2), Duration.ofSeconds(2), limit), f.clock);
        TufException.TimeoutException e = assertThrows(TufException.TimeoutException.class, u::refresh);
        assertTrue(e.getMessage().contains("slow retrieval"), e.getMessage());
        f.server.reset();
        f.server.behave(targetPath(v6), ex -> drip(ex, good));
        UpdateAgent agent = new UpdateAgent(u, new AssignmentVerifier(Fleet.DEVICE, Fleet.HW),
                List.of(new HttpTransport(Duration.ofSeconds(2), Duration.ofSeconds(2), limit)), f.slots(), f.clock, (st, r) -> { });
        InstallException ie = assertThrows(InstallException.class, () -> agent.apply(f.assign(v6, Fleet.HW, 6)));
        assertEquals(UpdateResult.CONNECTION_LOST, ie.result());
        assertTrue(ie.getMessage().contains("slow retrieval"), ie.getMessage());
        assertUntouched();
    }

    /** Sends 20 bytes every 100 ms. */
    static void drip(com.sun.net.httpserver.HttpExchange ex, byte[] data) throws IOException {
        ex.sendResponseHeaders(200, data.length);
        try (OutputStream out = ex.getResponseBody()) {
            for (int i = 0; i < data.length; i += 20) {
                out.write(data, i, Math.min(20, data.length - i));
                out.flush();
                Thread.sleep(100);
            }
        } catch (IOException | InterruptedException clientGaveUp) {
            // expected
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Sends {@code prefix} and then never-ending filler until the client hangs up (bounded at 64 MB). */
    static void endless(com.sun.net.httpserver.HttpExchange ex, byte[] prefix) throws IOException {
        ex.sendResponseHeaders(200, 0);
        byte[] filler = new byte[8192];
        java.util.Arrays.fill(filler, (byte) ' ');
        try (OutputStream out = ex.getResponseBody()) {
            out.write(prefix);
            for (int i = 0; i < 8192; i++) {
                out.write(filler);
            }
        } catch (IOException clientHungUp) {
            // expected: the client stops reading past its limit
        }
    }

}
