package io.nanofleet.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nanofleet.agent.DeviceAgent;
import io.nanofleet.agent.ota.ModelUpdater;
import io.nanofleet.agent.ota.UpdateChannel;
import io.nanofleet.agent.sensor.SimulatedSensor;
import io.nanofleet.agent.testing.Await;
import io.nanofleet.agent.testing.Mosquitto;
import io.nanofleet.agent.testing.Recorder;
import io.nanofleet.agent.testing.UpdateRepo;
import io.nanofleet.intents.model.CommandModel;
import io.nanofleet.ota.install.Storage;
import io.nanofleet.anomaly.detect.DetectorConfig;
import io.nanofleet.ota.crypto.KeyType;
import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.install.SlotStore;
import io.nanofleet.ota.repo.TargetKind;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.Assignment;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.InstallProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model updates end to end on a real update channel: a TUF image repository and director (ota's tooling)
 * served over HTTP on 127.0.0.1, the assignment delivered over MQTT (a Mosquitto child), install into the
 * A/B slots, shadow run, commit with a hot swap, and rollback of a model that does not fit this device; then a
 * command model through the same channel into its own slots, committed, and one failing the probe rolled back,
 * the anomaly model untouched by both.
 */
class ModelUpdateIT {
    private static final String DEVICE = "upd-1";
    private static final String HW = "rpi4";
    private static final List<String> CHANNELS = SimulatedSensor.DEFAULT_CHANNELS;

    @TempDir
    Path dir;

    private static List<InstallProgress> progress(Recorder r, String target) {
        return r.events().stream().filter(Event::hasInstallProgress).map(Event::getInstallProgress)
                .filter(p -> p.getTargetName().equals(target)).toList();
    }

    private static boolean finished(Recorder r, String target) {
        return progress(r, target).stream().anyMatch(p -> p.getState() == InstallProgress.State.IDLE && p.getResult() != 0);
    }

    @Test
    void verifiedModelRunsInShadowThenIsHotSwappedAndABadOneIsRolledBack() throws Exception {
        assumeTrue(Mosquitto.available(), "mosquitto not installed at " + Mosquitto.BINARY);
        try (UpdateRepo repo = new UpdateRepo(dir, DEVICE, HW);
             Mosquitto broker = new Mosquitto(Files.createDirectories(dir.resolve("broker")), "").start()) {
            UpdateChannel channel = repo.channel(dir.resolve("device"), Storage.FILES, true);
            SlotStore slots = channel.slots();
            Recorder recorder = new Recorder(broker.url(), DEVICE);
            // The builder builds and attaches the agent's model updater.
            DeviceAgent agent = DeviceAgent.builder().deviceId(DEVICE).hardwareId(HW).broker(broker.url())
                    .sensor(new SimulatedSensor(9)).sampleIntervalMs(5).telemetryIntervalMs(1000)
                    .detectorConfig(new DetectorConfig(10, 200, 3, 0.99, 1.5, 1.0, 100)).updates(channel, 300).build();
            ModelUpdater updater = agent.modelUpdater();
            agent.start();
            Await.until(Duration.ofSeconds(30), "on-device calibration", () -> agent.detector().scoredSamples() > 0);
            String before = agent.detector().modelSha256();

            // 1. A good model: verified, installed in trial, shadowed, committed, hot-swapped.
            byte[] good = UpdateRepo.model(CHANNELS, 100);
            Assignment a1 = repo.assign("models/anomaly-v1.nfm", good, 1);
            recorder.publish(Topics.ota(DEVICE), Codecs.ASSIGNMENT.encode(a1));
            Await.until(Duration.ofSeconds(60), "v1 decided", () -> finished(recorder, a1.getTargetName()),
                    () -> progress(recorder, a1.getTargetName()).toString());
            List<InstallProgress> p1 = progress(recorder, a1.getTargetName());
            InstallProgress last = p1.get(p1.size() - 1);
            assertEquals(1, last.getResult(), p1.toString());
            assertTrue(p1.stream().anyMatch(p -> p.getState() == InstallProgress.State.DOWNLOADING), p1.toString());
            assertTrue(p1.stream().anyMatch(p -> p.getState() == InstallProgress.State.UPDATING), "shadow step reported");
            String v1 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(good));
            assertEquals(v1, agent.detector().modelSha256(), "the running detector now uses v1 (no restart)");
            assertTrue(!v1.equals(before));
            assertFalse(slots.inTrial());
            assertEquals(1, updater.committed());

            // 2. A model for other channels: verified and installed, but unusable here -> rolled back.
            byte[] foreign = UpdateRepo.model(List.of("x", "y", "z", "w"), 7);
            Assignment a2 = repo.assign("models/anomaly-v2.nfm", foreign, 2);
            recorder.publish(Topics.ota(DEVICE), Codecs.ASSIGNMENT.encode(a2));
            Await.until(Duration.ofSeconds(60), "v2 decided", () -> finished(recorder, a2.getTargetName()));
            List<InstallProgress> p2 = progress(recorder, a2.getTargetName());
            assertEquals(8, p2.get(p2.size() - 1).getResult(), p2.toString());
            assertTrue(p2.get(p2.size() - 1).getMessage().contains("differ"), p2.toString());
            assertEquals(v1, agent.detector().modelSha256(), "v1 keeps running");
            assertEquals(v1, slots.active().orElseThrow().sha256());

            // 3. An assignment the director did not sign: refused before any byte is downloaded.
            TufSigner thief = TufSigner.generate(KeyType.ED25519);
            Assignment a3 = repo.assign("models/anomaly-v3.nfm", TargetKind.ANOMALY_MODEL, UpdateRepo.model(CHANNELS, 300), 3, thief);
            recorder.publish(Topics.ota(DEVICE), Codecs.ASSIGNMENT.encode(a3));
            Await.until(Duration.ofSeconds(60), "v3 refused", () -> finished(recorder, a3.getTargetName()));
            List<InstallProgress> p3 = progress(recorder, a3.getTargetName());
            assertEquals(5, p3.get(p3.size() - 1).getResult(), "integrity failure: " + p3);
            assertEquals(v1, slots.active().orElseThrow().sha256());

            // 4. A signed target of another kind (an agent build) for this device: refused (unsupported package
            //    type) before a byte is downloaded, never loaded.
            int requests = repo.targetRequests();
            Assignment a4 = repo.assign("agents/nanofleet-agent-0.3.deb", TargetKind.AGENT, UpdateRepo.model(CHANNELS, 400), 4, repo.director);
            recorder.publish(Topics.ota(DEVICE), Codecs.ASSIGNMENT.encode(a4));
            Await.until(Duration.ofSeconds(60), "agent build refused", () -> finished(recorder, a4.getTargetName()));
            List<InstallProgress> p4 = progress(recorder, a4.getTargetName());
            assertEquals(6, p4.get(p4.size() - 1).getResult(), "unsupported package type: " + p4);
            assertTrue(p4.get(p4.size() - 1).getMessage().contains("agent target"), p4.toString());
            assertEquals(requests, repo.targetRequests(), "nothing downloaded");
            assertEquals(v1, agent.detector().modelSha256());
            assertEquals(v1, slots.active().orElseThrow().sha256());
            assertFalse(slots.inTrial());

            // 5. v1 assigned again (e.g. a fleet re-assigning the previous model): it is in the active slot,
            //    verified, so nothing is downloaded and it keeps running.
            recorder.publish(Topics.ota(DEVICE), Codecs.ASSIGNMENT.encode(repo.assignAgain(a1)));
            Await.until(Duration.ofSeconds(60), "v1 again", () -> progress(recorder, a1.getTargetName()).stream()
                    .filter(p -> p.getResult() == 1).count() == 2);
            assertEquals(requests, repo.targetRequests(), "v1 not downloaded again");
            assertEquals(v1, agent.detector().modelSha256());

            // 6. A command model over the same channel: its own slots, the probe check, then it answers; the
            //    anomaly model and its slots are not touched.
            CommandModel shipped = CommandModel.bundled();
            byte[] cmd = shipped.withCalibration(shipped.temperature(), 0.7f).toBytes();
            Assignment c1 = repo.assign("models/command-v1.nfm", TargetKind.COMMAND_MODEL, cmd, 1, repo.director);
            recorder.publish(Topics.ota(DEVICE), Codecs.ASSIGNMENT.encode(c1));
            Await.until(Duration.ofSeconds(60), "command v1 decided", () -> finished(recorder, c1.getTargetName()));
            List<InstallProgress> pc1 = progress(recorder, c1.getTargetName());
            assertEquals(1, pc1.get(pc1.size() - 1).getResult(), pc1.toString());
            String cmdSha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(cmd));
            assertEquals(cmdSha, agent.commandModel().sha256());
            assertEquals(0.7f, agent.commandModel().get().threshold());
            assertEquals(cmdSha, channel.commandSlots().active().orElseThrow().sha256());
            assertEquals(v1, agent.detector().modelSha256());
            assertEquals(v1, slots.active().orElseThrow().sha256());

            // 7. A command model that fails the probe is rolled back to command v1; the anomaly model still untouched.
            Assignment c2 = repo.assign("models/command-v2.nfm", TargetKind.COMMAND_MODEL,
                    shipped.withCalibration(100f, 1.0f).toBytes(), 2, repo.director);
            recorder.publish(Topics.ota(DEVICE), Codecs.ASSIGNMENT.encode(c2));
            Await.until(Duration.ofSeconds(60), "command v2 decided", () -> finished(recorder, c2.getTargetName()));
            List<InstallProgress> pc2 = progress(recorder, c2.getTargetName());
            assertEquals(8, pc2.get(pc2.size() - 1).getResult(), pc2.toString());
            assertTrue(pc2.get(pc2.size() - 1).getMessage().contains("probe"), pc2.toString());
            assertEquals(cmdSha, agent.commandModel().sha256());
            assertEquals(cmdSha, channel.commandSlots().active().orElseThrow().sha256());
            assertFalse(channel.commandSlots().inTrial());
            assertEquals(v1, agent.detector().modelSha256());
            assertEquals(v1, slots.active().orElseThrow().sha256());
            assertFalse(slots.inTrial());
            agent.close();
            recorder.close();
        }
    }
}
