package io.nanofleet.agent.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.agent.DeviceAgent;
import io.nanofleet.agent.pipeline.EdgePipeline;
import io.nanofleet.agent.sensor.SimulatedSensor;
import io.nanofleet.agent.telemetry.TelemetryLoop;
import io.nanofleet.agent.testing.Await;
import io.nanofleet.agent.testing.UpdateRepo;
import io.nanofleet.intents.model.CommandModel;
import io.nanofleet.intents.model.Prediction;
import io.nanofleet.ota.crypto.KeyType;
import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.install.InstallException;
import io.nanofleet.ota.install.SlotStore;
import io.nanofleet.ota.install.Storage;
import io.nanofleet.ota.repo.TargetKind;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.v1.AnomalyEvent;
import io.nanofleet.protocols.v1.Assignment;
import io.nanofleet.protocols.v1.InstallProgress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command model's update path on a real update channel (TUF repository and director made with ota's
 * tooling, served over HTTP by {@link UpdateRepo}) and the agent's own model host, assignments handed to the
 * updater as the ota topic would: verified before a byte is used, its own slots, the probe check, commit or
 * rollback, and the installed model after a restart.
 */
class CommandModelUpdateTest {
    private static final String DEVICE = "cmd-1";
    private static final String HW = "rpi4";

    @TempDir
    Path dir;

    private final ExecutorService worker = Executors.newSingleThreadExecutor();
    private final List<DeviceAgent> agents = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        agents.forEach(DeviceAgent::close);
        worker.shutdownNow();
    }

    /** A built (not started) agent: its model host and command model holder are the real ones. */
    private DeviceAgent agent() throws Exception {
        DeviceAgent a = DeviceAgent.builder().deviceId(DEVICE).hardwareId(HW).broker("tcp://127.0.0.1:1")
                .sensor(new SimulatedSensor(3)).startTimeoutMs(0).build();
        agents.add(a);
        return a;
    }

    /** The agent's host, recording the install reports. */
    private static final class Reports implements ModelHost {
        final ModelHost host;
        final List<InstallProgress> progress = new CopyOnWriteArrayList<>();

        Reports(ModelHost host) {
            this.host = host;
        }

        List<InstallProgress> of(String target) {
            return progress.stream().filter(p -> p.getTargetName().equals(target)).toList();
        }

        InstallProgress last(String target) throws Exception {
            Await.until(Duration.ofSeconds(30), target + " decided", () -> of(target).stream()
                    .anyMatch(p -> p.getState() == InstallProgress.State.IDLE && p.getResult() != 0), () -> of(target).toString());
            List<InstallProgress> p = of(target);
            return p.get(p.size() - 1);
        }

        @Override
        public List<String> channels() {
            return host.channels();
        }

        @Override
        public EdgePipeline activeDetector() {
            return host.activeDetector();
        }

        @Override
        public EdgePipeline newShadowPipeline(Consumer<AnomalyEvent> sink) {
            return host.newShadowPipeline(sink);
        }

        @Override
        public void promote(EdgePipeline next) {
            host.promote(next);
        }

        @Override
        public CommandModelHolder commandModel() {
            return host.commandModel();
        }

        @Override
        public void attribute(String key, String value) {
            host.attribute(key, value);
        }

        @Override
        public void publishInstallProgress(InstallProgress p) {
            progress.add(p);
        }

        @Override
        public void onSample(TelemetryLoop.SampleListener listener) {
            host.onSample(listener);
        }

        @Override
        public void onOta(BiConsumer<String, byte[]> listener) {
            host.onOta(listener);
        }
    }

    /** A command model that differs from the shipped one only in its calibration: different bytes, same answers. */
    private static CommandModel recalibrated(float threshold) throws Exception {
        CommandModel b = CommandModel.bundled();
        return b.withCalibration(b.temperature(), threshold);
    }

    /** Loads and runs, but a flat softmax under a threshold of 1 answers nothing locally: fails the probe. */
    private static CommandModel offloadsEverything() throws Exception {
        return CommandModel.bundled().withCalibration(100f, 1.0f);
    }

    private static void send(ModelUpdater u, Assignment a) {
        u.onAssignment(Codecs.ASSIGNMENT.encode(a));
    }

    @Test
    void aVerifiedCommandModelPassingTheProbeAnswersAtOnceAndAgainAfterARestart() throws Exception {
        try (UpdateRepo repo = new UpdateRepo(dir, DEVICE, HW)) {
            DeviceAgent agent = agent();
            CommandModelHolder holder = agent.commandModel();
            String shipped = holder.sha256();
            assertEquals("", holder.name(), "the shipped model has no repository name");
            assertEquals(CommandModel.bundled().intents(), holder.get().intents());

            UpdateChannel channel = repo.channel(dir.resolve("device"), Storage.FILES, true);
            Reports host = new Reports(agent.modelHost());
            ModelUpdater updater = new ModelUpdater(host, channel, worker, 100).attach();
            assertTrue(updater.takesCommandModels());
            CommandModel v1 = recalibrated(0.7f);
            byte[] bytes = v1.toBytes();
            Assignment a = repo.assign("models/command-v1.nfm", TargetKind.COMMAND_MODEL, bytes, 1, repo.director);
            send(updater, a);
            InstallProgress last = host.last(a.getTargetName());
            assertEquals(1, last.getResult(), host.of(a.getTargetName()).toString());
            assertTrue(last.getMessage().matches(".*2[2-4]/24 commands right.*"), last.getMessage());
            assertTrue(host.of(a.getTargetName()).stream().anyMatch(p -> p.getState() == InstallProgress.State.DOWNLOADING));

            String sha = io.nanofleet.runtime.ModelFile.sha256Hex(bytes);
            assertNotEquals(shipped, sha);
            assertEquals(sha, holder.sha256());
            assertEquals("models/command-v1.nfm", holder.name());
            assertEquals(1, holder.info().getReleaseCounter());
            assertEquals(0.7f, holder.get().threshold(), "the agent answers with the new model");
            Prediction p = holder.get().predictor().predict("please restart the agent");
            assertTrue(p.local() && p.intent().equals("agent_restart"), p.toString());
            assertEquals(sha, channel.commandSlots().active().orElseThrow().sha256());
            assertFalse(channel.commandSlots().inTrial());
            assertTrue(channel.slots().active().isEmpty(), "the anomaly model's slots are not touched");
            assertEquals(1, updater.commandModelsCommitted());

            // A restart: a new agent (shipped model in its holder) on the same state; the installed model wins.
            DeviceAgent restarted = agent();
            assertEquals(shipped, restarted.commandModel().sha256());
            new ModelUpdater(new Reports(restarted.modelHost()), repo.channel(dir.resolve("device"), Storage.FILES, true), worker, 100)
                    .attach();
            assertEquals(sha, restarted.commandModel().sha256());
            assertEquals("models/command-v1.nfm", restarted.commandModel().name());
            assertEquals(0.7f, restarted.commandModel().get().threshold());
        }
    }

    /** How a candidate is refused before it is used, and the result the fleet hears. */
    @Test
    void badSignatureTamperedDownloadCorruptFileAndWrongKindAreRefusedAndNothingIsUsed() throws Exception {
        try (UpdateRepo repo = new UpdateRepo(dir, DEVICE, HW)) {
            DeviceAgent agent = agent();
            CommandModelHolder holder = agent.commandModel();
            CommandModel running = holder.get();
            String shipped = holder.sha256();
            UpdateChannel channel = repo.channel(dir.resolve("device"), Storage.FILES, true);
            SlotStore slots = channel.commandSlots();
            Reports host = new Reports(agent.modelHost());
            ModelUpdater updater = new ModelUpdater(host, channel, worker, 100).attach();
            byte[] good = recalibrated(0.7f).toBytes();

            // 1. Signed by a key the trusted root does not list as the director: refused, nothing downloaded.
            int requests = repo.targetRequests();
            TufSigner thief = TufSigner.generate(KeyType.ED25519);
            Assignment forged = repo.assign("models/command-forged.nfm", TargetKind.COMMAND_MODEL, good, 1, thief);
            send(updater, forged);
            assertEquals(5, host.last(forged.getTargetName()).getResult(), host.of(forged.getTargetName()).toString());
            assertEquals(requests, repo.targetRequests(), "nothing downloaded");

            // 2. Bytes that are not the signed ones (a malicious mirror): the hash check refuses them, nothing staged.
            byte[] tampered = good.clone();
            tampered[tampered.length / 2] ^= 1;
            repo.targetsInstead(ex -> UpdateRepo.send(ex, 200, tampered));
            Assignment mirrored = repo.assign("models/command-mirrored.nfm", TargetKind.COMMAND_MODEL, good, 2, repo.director);
            send(updater, mirrored);
            assertEquals(5, host.last(mirrored.getTargetName()).getResult(), host.of(mirrored.getTargetName()).toString());
            repo.targetsInstead(null);

            // 3. Signed and intact, but not a model file: unusable (result 8), rolled back.
            byte[] garbage = new byte[4096];
            new Random(5).nextBytes(garbage);
            Assignment corrupt = repo.assign("models/command-corrupt.nfm", TargetKind.COMMAND_MODEL, garbage, 3, repo.director);
            send(updater, corrupt);
            InstallProgress c = host.last(corrupt.getTargetName());
            assertEquals(8, c.getResult(), c.toString());
            assertTrue(c.getMessage().startsWith("new command model unusable"), c.getMessage());

            // 4. Signed as a command model, but the file is an anomaly detector's: the kind inside the file is checked.
            byte[] detector = UpdateRepo.model(SimulatedSensor.DEFAULT_CHANNELS, 1);
            Assignment wrongKind = repo.assign("models/command-is-detector.nfm", TargetKind.COMMAND_MODEL, detector, 4, repo.director);
            send(updater, wrongKind);
            InstallProgress w = host.last(wrongKind.getTargetName());
            assertEquals(8, w.getResult(), w.toString());
            assertTrue(w.getMessage().contains("not a command-model"), w.getMessage());

            // 5. An agent build: this updater does not install that kind (result 6), nothing downloaded.
            requests = repo.targetRequests();
            Assignment build = repo.assign("agents/nanofleet-agent-0.3.deb", TargetKind.AGENT, good, 5, repo.director);
            send(updater, build);
            assertEquals(6, host.last(build.getTargetName()).getResult(), host.of(build.getTargetName()).toString());
            assertEquals(requests, repo.targetRequests(), "nothing downloaded");

            assertSame(running, holder.get(), "the running command model never changed");
            assertEquals(shipped, holder.sha256());
            assertTrue(slots.active().isEmpty(), "no command model installed: " + slots.active());
            assertFalse(slots.inTrial());
            assertEquals(0, updater.committed());
            assertEquals(2, updater.commandModelsRolledBack(), "the two that were staged were rolled back");
            assertTrue(channel.slots().active().isEmpty(), "the anomaly model's slots are not touched");
        }
    }

    @Test
    void aCandidateFailingTheProbeIsRolledBackToThePreviousCommandModel() throws Exception {
        try (UpdateRepo repo = new UpdateRepo(dir, DEVICE, HW)) {
            DeviceAgent agent = agent();
            CommandModelHolder holder = agent.commandModel();
            UpdateChannel channel = repo.channel(dir.resolve("device"), Storage.FILES, true);
            SlotStore slots = channel.commandSlots();
            Reports host = new Reports(agent.modelHost());
            ModelUpdater updater = new ModelUpdater(host, channel, worker, 100).attach();

            byte[] v1 = recalibrated(0.7f).toBytes();
            Assignment a1 = repo.assign("models/command-v1.nfm", TargetKind.COMMAND_MODEL, v1, 1, repo.director);
            send(updater, a1);
            assertEquals(1, host.last(a1.getTargetName()).getResult());
            CommandModel previous = holder.get();
            String v1Sha = io.nanofleet.runtime.ModelFile.sha256Hex(v1);

            Assignment a2 = repo.assign("models/command-v2.nfm", TargetKind.COMMAND_MODEL, offloadsEverything().toBytes(), 2, repo.director);
            send(updater, a2);
            InstallProgress last = host.last(a2.getTargetName());
            assertEquals(8, last.getResult(), last.toString());
            assertTrue(last.getMessage().contains("probe: 0/24 commands right, at least 20 needed"), last.getMessage());
            assertTrue(host.of(a2.getTargetName()).stream().anyMatch(p -> p.getState() == InstallProgress.State.UPDATING
                    && p.getMessage().contains("probe set")), host.of(a2.getTargetName()).toString());
            assertSame(previous, holder.get(), "v1 keeps answering");
            assertEquals(v1Sha, holder.sha256());
            assertEquals(v1Sha, slots.active().orElseThrow().sha256(), "the slot pointer is back on v1");
            assertFalse(slots.inTrial());
            assertEquals(1, updater.commandModelsRolledBack());

            // v1 assigned again (the fleet rolling back): it is the active slot, so nothing is downloaded.
            int requests = repo.targetRequests();
            send(updater, repo.assignAgain(a1));
            Await.until(Duration.ofSeconds(30), "v1 again", () -> host.of(a1.getTargetName()).stream()
                    .filter(p -> p.getResult() == 1).count() == 2);
            assertEquals("already installed and running", host.of(a1.getTargetName()).get(host.of(a1.getTargetName()).size() - 1).getMessage());
            assertEquals(requests, repo.targetRequests());

            // The rolled-back v2 is in the inactive slot; assigned again it is checked again, and refused again.
            send(updater, repo.assignAgain(a2));
            Await.until(Duration.ofSeconds(30), "v2 again", () -> host.of(a2.getTargetName()).stream()
                    .filter(p -> p.getResult() == 8).count() == 2);
            assertEquals(v1Sha, holder.sha256());
        }
    }

    @Test
    void aCandidateLeftInTrialByACrashIsRolledBackAtTheNextStart() throws Exception {
        try (UpdateRepo repo = new UpdateRepo(dir, DEVICE, HW)) {
            DeviceAgent agent = agent();
            UpdateChannel channel = repo.channel(dir.resolve("device"), Storage.FILES, true);
            Reports host = new Reports(agent.modelHost());
            ModelUpdater updater = new ModelUpdater(host, channel, worker, 100).attach();
            byte[] v1 = recalibrated(0.7f).toBytes();
            Assignment a1 = repo.assign("models/command-v1.nfm", TargetKind.COMMAND_MODEL, v1, 1, repo.director);
            send(updater, a1);
            assertEquals(1, host.last(a1.getTargetName()).getResult());

            // v2 staged and switched to in trial, then the process dies before the probe decides.
            Assignment a2 = repo.assign("models/command-v2.nfm", TargetKind.COMMAND_MODEL, recalibrated(0.65f).toBytes(), 2,
                    repo.director);
            try {
                channel.forInstall(TargetKind.COMMAND_MODEL, (s, r) -> { }).apply(a2);
            } catch (InstallException e) {
                throw new AssertionError(e);
            }
            assertTrue(channel.commandSlots().inTrial());

            DeviceAgent restarted = agent();
            UpdateChannel reopened = repo.channel(dir.resolve("device"), Storage.FILES, true);
            ModelUpdater again = new ModelUpdater(new Reports(restarted.modelHost()), reopened, worker, 100).attach();
            assertFalse(reopened.commandSlots().inTrial());
            assertEquals(1, again.commandModelsRolledBack());
            assertEquals(io.nanofleet.runtime.ModelFile.sha256Hex(v1), restarted.commandModel().sha256(), "v1, the confirmed one, answers");
        }
    }

    @Test
    void aChannelWithoutCommandSlotsRefusesCommandModelsBeforeDownloading() throws Exception {
        try (UpdateRepo repo = new UpdateRepo(dir, DEVICE, HW)) {
            DeviceAgent agent = agent();
            String shipped = agent.commandModel().sha256();
            UpdateChannel channel = repo.channel(dir.resolve("device"), Storage.FILES, false);
            Reports host = new Reports(agent.modelHost());
            ModelUpdater updater = new ModelUpdater(host, channel, worker, 100).attach();
            assertFalse(updater.takesCommandModels());
            int requests = repo.targetRequests();
            Assignment a = repo.assign("models/command-v1.nfm", TargetKind.COMMAND_MODEL, recalibrated(0.7f).toBytes(), 1, repo.director);
            send(updater, a);
            InstallProgress last = host.last(a.getTargetName());
            assertEquals(6, last.getResult(), last.toString());
            assertTrue(last.getMessage().contains("command-model target"), last.getMessage());
            assertEquals(requests, repo.targetRequests());
            assertEquals(shipped, agent.commandModel().sha256());
        }
    }
}
