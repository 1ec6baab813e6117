package io.nanofleet.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nanofleet.agent.DeviceAgent;
import io.nanofleet.agent.ota.ModelHost;
import io.nanofleet.agent.ota.ModelUpdater;
import io.nanofleet.agent.ota.UpdateChannel;
import io.nanofleet.agent.pipeline.EdgePipeline;
import io.nanofleet.agent.sensor.SensorSource;
import io.nanofleet.agent.sensor.SimulatedSensor;
import io.nanofleet.agent.telemetry.TelemetryLoop;
import io.nanofleet.agent.testing.Await;
import io.nanofleet.agent.testing.Mosquitto;
import io.nanofleet.agent.testing.Recorder;
import io.nanofleet.agent.testing.UpdateRepo;
import io.nanofleet.anomaly.detect.DetectorConfig;
import io.nanofleet.ota.install.SlotStore;
import io.nanofleet.ota.install.Storage;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.AnomalyEvent;
import io.nanofleet.protocols.v1.Assignment;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.InstallProgress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 12 item 5, the stuck device: every point where an install can fail, on a real agent (DeviceAgent +
 * ModelUpdater, assignments over a Mosquitto child, TUF repository over HTTP), first on a device that never had
 * a model from the fleet, then on one that has. Each failure must end in a reported result (an InstallProgress
 * with its result code and message, not a server-side timeout), leave the slots out of trial and the detector
 * as it was, and the next good assignment must install.
 */
class InstallFailuresIT {
    private static final String DEVICE = "fail-1";
    private static final String HW = "rpi4";
    private static final List<String> CHANNELS = SimulatedSensor.DEFAULT_CHANNELS;
    private static final int CALIBRATION_ROWS = 200;
    /** Long against the quiet stretch, so the old model's figures over the window are those of normal data. */
    private static final int HEALTH_SAMPLES = 800;

    /** One way an install fails, and the LwM2M result the device must report for it. */
    enum Failure {
        DOWNLOAD(4), VERIFY(5), STAGE_FULL_DISK(2), LOAD_BAD_BYTES(8), LOAD_WRONG_CHANNELS(8), SHADOW_HEALTH(8),
        /** The disk fills during the health window: neither confirm nor rollback can write the slot pointer. */
        CONFIRM_FULL_DISK(8);

        final int result;

        Failure(int result) {
            this.result = result;
        }
    }

    @TempDir
    Path dir;

    private final ExecutorService worker = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        worker.shutdownNow();
    }

    @ParameterizedTest
    @EnumSource(Failure.class)
    void aFailedInstallIsReportedAndTheNextAssignmentInstalls(Failure failure) throws Exception {
        assumeTrue(Mosquitto.available(), "mosquitto not installed at " + Mosquitto.BINARY);
        FillableDisk disk = new FillableDisk();
        QuietingSensor sensor = new QuietingSensor();
        try (UpdateRepo repo = new UpdateRepo(dir, DEVICE, HW);
             Mosquitto broker = new Mosquitto(Files.createDirectories(dir.resolve("broker")), "").start()) {
            UpdateChannel channel = repo.channel(dir.resolve("device"), disk);
            SlotStore slots = channel.slots();
            Recorder recorder = new Recorder(broker.url(), DEVICE);
            DeviceAgent agent = DeviceAgent.builder().deviceId(DEVICE).hardwareId(HW).broker(broker.url())
                    .sensor(sensor).sampleIntervalMs(5).telemetryIntervalMs(1000)
                    .detectorConfig(new DetectorConfig(10, 200, 3, 0.99, 2.0, 1.0, CALIBRATION_ROWS)).build();
            // The real host; only a shadow's creation is observed, so the shadow failure can make the sensor go quiet
            // exactly while the new model calibrates (the old model keeps its calibration on normal data).
            AtomicReference<Failure> atShadow = new AtomicReference<>();
            ModelHost host = new ObservedHost(agent.modelHost(), () -> {
                if (atShadow.get() == Failure.SHADOW_HEALTH) {
                    sensor.quietFor(CALIBRATION_ROWS + 20);
                } else if (atShadow.get() == Failure.CONFIRM_FULL_DISK) {
                    disk.full.set(true);
                }
            });
            ModelUpdater updater = new ModelUpdater(host, channel, worker, HEALTH_SAMPLES).attach();
            agent.start();
            Await.until(Duration.ofSeconds(60), "on-device calibration", () -> agent.detector().scoredSamples() > 0);
            String factory = agent.detector().modelSha256();

            // 1. No model from the fleet yet: the failure is reported, the factory detector keeps running.
            fail(failure, 1, repo, disk, atShadow, recorder, slots, updater);
            assertEquals(factory, agent.detector().modelSha256(), "the factory detector still runs");
            if (failure != Failure.CONFIRM_FULL_DISK) {
                assertTrue(slots.active().isEmpty(), "no OTA model active: " + slots.active());
            }
            String good2 = install(repo, recorder, "models/good-2.nfm", UpdateRepo.model(CHANNELS, 100), 2);
            assertEquals(good2, agent.detector().modelSha256());

            // 2. Now with a previous model: the same failure, and the previous model keeps running.
            fail(failure, 3, repo, disk, atShadow, recorder, slots, updater);
            assertEquals(good2, agent.detector().modelSha256(), "the previous model still runs");
            if (failure != Failure.CONFIRM_FULL_DISK) {
                assertEquals(good2, slots.active().orElseThrow().sha256());
            }
            String good4 = install(repo, recorder, "models/good-4.nfm", UpdateRepo.model(CHANNELS, 200), 4);
            assertEquals(good4, agent.detector().modelSha256());
            assertEquals(2, updater.committed());
            agent.close();
            recorder.close();
        }
    }

    /** Assigns a model that fails at {@code failure}; asserts the reported result and that nothing is left in trial. */
    private void fail(Failure failure, long release, UpdateRepo repo, FillableDisk disk, AtomicReference<Failure> atShadow,
                      Recorder recorder, SlotStore slots, ModelUpdater updater) throws Exception {
        byte[] good = UpdateRepo.model(CHANNELS, 1000 + release);
        byte[] content = switch (failure) {
            case LOAD_BAD_BYTES -> random(good.length, release);
            case LOAD_WRONG_CHANNELS -> UpdateRepo.model(List.of("x", "y", "z", "w"), release);
            default -> good;
        };
        switch (failure) {
            case DOWNLOAD -> repo.targetsInstead(ex -> UpdateRepo.send(ex, 503, new byte[0]));
            case VERIFY -> {
                byte[] tampered = content.clone();
                tampered[tampered.length / 2] ^= 1;
                repo.targetsInstead(ex -> UpdateRepo.send(ex, 200, tampered));
            }
            case STAGE_FULL_DISK -> disk.full.set(true);
            case SHADOW_HEALTH, CONFIRM_FULL_DISK -> atShadow.set(failure);
            default -> { }
        }
        String name = "models/fail-" + release + ".nfm";
        try {
            recorder.publish(Topics.ota(DEVICE), Codecs.ASSIGNMENT.encode(repo.assign(name, content, release)));
            Await.until(Duration.ofSeconds(90), failure + " reported", () -> finished(recorder, name),
                    () -> progress(recorder, name).toString());
        } finally {
            repo.targetsInstead(null);
            disk.full.set(false);
            atShadow.set(null);
        }
        List<InstallProgress> p = progress(recorder, name);
        InstallProgress last = p.get(p.size() - 1);
        assertEquals(failure.result, last.getResult(), p.toString());
        assertFalse(last.getMessage().isEmpty(), p.toString());
        // On a full disk even the rollback cannot be written: the slots stay in trial until the next assignment,
        // which abandons that trial first.
        Await.until(Duration.ofSeconds(10), "no trial left", () -> !updater.inTrial()
                && (failure == Failure.CONFIRM_FULL_DISK || !slots.inTrial()));
    }

    /** Assigns a good model and waits until it is committed; returns its sha256. */
    private static String install(UpdateRepo repo, Recorder recorder, String name, byte[] model, long release) throws Exception {
        Assignment a = repo.assign(name, model, release);
        recorder.publish(Topics.ota(DEVICE), Codecs.ASSIGNMENT.encode(a));
        Await.until(Duration.ofSeconds(90), name + " decided", () -> finished(recorder, name), () -> progress(recorder, name).toString());
        List<InstallProgress> p = progress(recorder, name);
        assertEquals(1, p.get(p.size() - 1).getResult(), p.toString());
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model));
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static List<InstallProgress> progress(Recorder r, String target) {
        return r.events().stream().filter(Event::hasInstallProgress).map(Event::getInstallProgress)
                .filter(p -> p.getTargetName().equals(target)).toList();
    }

    private static boolean finished(Recorder r, String target) {
        return progress(r, target).stream().anyMatch(p -> p.getState() == InstallProgress.State.IDLE && p.getResult() != 0);
    }

    /** The device's disk; while {@code full}, opening a file for writing fails as Linux reports ENOSPC. */
    static final class FillableDisk implements Storage {
        final AtomicBoolean full = new AtomicBoolean();

        @Override
        public Output append(Path file) throws IOException {
            check();
            return Storage.FILES.append(file);
        }

        @Override
        public Output create(Path file) throws IOException {
            check();
            return Storage.FILES.create(file);
        }

        private void check() throws IOException {
            if (full.get()) {
                throw new IOException("No space left on device");
            }
        }
    }

    /**
     * Stationary noise on the simulated sensor's channels (so every model calibrated on it flags well under 1%),
     * able to go quiet for a number of reads: a tenth of the usual spread. A model calibrated on that stretch finds
     * ordinary data anomalous; one calibrated before does not.
     */
    static final class QuietingSensor implements SensorSource {
        private final AtomicInteger quiet = new AtomicInteger();
        private final Random random = new Random(9);

        void quietFor(int reads) {
            quiet.set(reads);
        }

        @Override
        public List<String> channels() {
            return CHANNELS;
        }

        @Override
        public void read(double[] out) {
            double spread = quiet.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? 0.1 : 1;
            for (int c = 0; c < out.length; c++) {
                out[c] = 10 * (c + 1) + spread * (c + 1) * random.nextGaussian();
            }
        }
    }

    /** The agent's own model host, telling the test when a shadow pipeline is made. */
    record ObservedHost(ModelHost host, Runnable onShadow) implements ModelHost {
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
            onShadow.run();
            return host.newShadowPipeline(sink);
        }

        @Override
        public void promote(EdgePipeline next) {
            host.promote(next);
        }

        @Override
        public void attribute(String key, String value) {
            host.attribute(key, value);
        }

        @Override
        public void publishInstallProgress(InstallProgress progress) {
            host.publishInstallProgress(progress);
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
}
