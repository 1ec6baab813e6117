package io.nanofleet.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpServer;
import io.nanofleet.agent.DeviceAgent;
import io.nanofleet.agent.ota.ModelUpdater;
import io.nanofleet.agent.ota.UpdateChannel;
import io.nanofleet.agent.sensor.SimulatedSensor;
import io.nanofleet.agent.testing.Await;
import io.nanofleet.agent.testing.Mosquitto;
import io.nanofleet.agent.testing.Recorder;
import io.nanofleet.anomaly.detect.DetectorConfig;
import io.nanofleet.anomaly.model.DetectorModelFile;
import io.nanofleet.anomaly.model.FleetModel;
import io.nanofleet.ota.client.HttpFetcher;
import io.nanofleet.ota.client.Updater;
import io.nanofleet.ota.client.UpdaterConfig;
import io.nanofleet.ota.crypto.KeyType;
import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.director.AssignmentVerifier;
import io.nanofleet.ota.director.DirectorAssignment;
import io.nanofleet.ota.director.DirectorSigner;
import io.nanofleet.ota.install.SlotStore;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.repo.Repository;
import io.nanofleet.ota.repo.RoleSpec;
import io.nanofleet.ota.repo.TargetKind;
import io.nanofleet.ota.transfer.HttpTransport;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.Assignment;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.InstallProgress;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model updates end to end on a real update channel: a TUF image repository and director (ota's tooling)
 * served over HTTP on 127.0.0.1, the assignment delivered over MQTT (a Mosquitto child), install into the
 * A/B slots, shadow run, commit with a hot swap, and rollback of a model that does not fit this device.
 */
class ModelUpdateIT {
    private static final String DEVICE = "upd-1";
    private static final String HW = "rpi4";
    private static final List<String> CHANNELS = SimulatedSensor.DEFAULT_CHANNELS;

    @TempDir
    Path dir;

    private final TufSigner root = TufSigner.generate(KeyType.ED25519);
    private final TufSigner targets = TufSigner.generate(KeyType.ED25519);
    private final TufSigner snapshot = TufSigner.generate(KeyType.ED25519);
    private final TufSigner timestamp = TufSigner.generate(KeyType.ED25519);
    private final TufSigner director = TufSigner.generate(KeyType.ED25519);
    private final ExecutorService worker = Executors.newSingleThreadExecutor();
    private HttpServer http;
    private long assignmentVersion;

    @AfterEach
    void stop() {
        worker.shutdownNow();
        if (http != null) {
            http.stop(0);
        }
    }

    private void serve(Path repoDir) throws Exception {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", ex -> {
            Path f = repoDir.resolve(ex.getRequestURI().getPath().substring(1)).normalize();
            if (!f.startsWith(repoDir) || !Files.isRegularFile(f)) {
                ex.sendResponseHeaders(404, -1);
                ex.close();
                return;
            }
            byte[] b = Files.readAllBytes(f);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(b);
            }
        });
        http.start();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/" + path);
    }

    /** A detector model file for these channels, trained on simulated normal data. */
    private static byte[] model(List<String> channels, long seed) {
        List<float[][]> runs = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            SimulatedSensor s = new SimulatedSensor(channels, seed + r);
            float[][] rows = new float[1500][channels.size()];
            double[] x = new double[channels.size()];
            for (float[] row : rows) {
                s.read(x);
                for (int c = 0; c < x.length; c++) {
                    row[c] = (float) x[c];
                }
            }
            runs.add(rows);
        }
        DetectorConfig cfg = DetectorConfig.DEFAULT;
        FleetModel.Trained t = FleetModel.train(runs, cfg, 1, 42, 5);
        return DetectorModelFile.toBytes(t.pair().int8Model(), channels, t.defaultCalibration(), cfg);
    }

    private Assignment assignment(Repository repo, String name, byte[] content, long release, TufSigner directorKey) throws Exception {
        Path f = dir.resolve("upload.bin");
        Files.write(f, content);
        TargetFile t = repo.addTarget(f, name, TargetKind.ANOMALY_MODEL.custom(List.of(HW), release), "targets", List.of(targets));
        repo.refresh(List.of(snapshot), List.of(timestamp));
        byte[] signed = new DirectorSigner(List.of(directorKey)).sign(new DirectorAssignment(DEVICE, t.name(), t.length(),
                t.hashes(), HW, release, ++assignmentVersion, Clock.systemUTC().instant().plus(Duration.ofDays(1))));
        return Assignment.newBuilder().setDeviceId(DEVICE).setTargetName(t.name()).setLength(t.length())
                .putAllHashes(t.hashes()).setHardwareId(HW).setReleaseCounter(release).setTargetKind("anomaly-model")
                .setSignedMetadata(ByteString.copyFrom(signed)).build();
    }

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
        Clock clock = Clock.systemUTC();
        Path repoDir = dir.resolve("repo");
        Repository repo = new Repository(repoDir, clock);
        repo.init(Map.of("root", RoleSpec.of(1, root.publicKey()), "targets", RoleSpec.of(1, targets.publicKey()),
                        "snapshot", RoleSpec.of(1, snapshot.publicKey()), "timestamp", RoleSpec.of(1, timestamp.publicKey()),
                        "director", RoleSpec.of(1, director.publicKey())),
                Map.of("root", List.of(root), "targets", List.of(targets), "snapshot", List.of(snapshot), "timestamp", List.of(timestamp)));
        serve(repoDir);
        Path meta = dir.resolve("device/tuf");
        Updater.initialize(meta, repo.rootBytes(), clock);
        SlotStore slots = new SlotStore(dir.resolve("device/models"));

        try (Mosquitto broker = new Mosquitto(Files.createDirectories(dir.resolve("broker")), "").start()) {
            Recorder recorder = new Recorder(broker.url(), DEVICE);
            DeviceAgent agent = DeviceAgent.builder().deviceId(DEVICE).hardwareId(HW).broker(broker.url())
                    .sensor(new SimulatedSensor(9)).sampleIntervalMs(5).telemetryIntervalMs(1000)
                    .detectorConfig(new DetectorConfig(10, 200, 3, 0.99, 1.5, 1.0, 100)).build();
            ModelUpdater updater = new ModelUpdater(agent.modelHost(), new UpdateChannel(
                    new Updater(new UpdaterConfig(meta, uri("metadata/"), uri("targets/")), new HttpFetcher(), clock),
                    new AssignmentVerifier(DEVICE, HW), List.of(new HttpTransport(Duration.ofSeconds(5), Duration.ofSeconds(5))),
                    slots, clock), worker, 300);
            updater.attach();
            agent.start();
            Await.until(Duration.ofSeconds(30), "on-device calibration", () -> agent.detector().scoredSamples() > 0);
            String before = agent.detector().modelSha256();

            // 1. A good model: verified, installed in trial, shadowed, committed, hot-swapped.
            byte[] good = model(CHANNELS, 100);
            Assignment a1 = assignment(repo, "models/anomaly-v1.nfm", good, 1, director);
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
            byte[] foreign = model(List.of("x", "y", "z", "w"), 7);
            Assignment a2 = assignment(repo, "models/anomaly-v2.nfm", foreign, 2, director);
            recorder.publish(Topics.ota(DEVICE), Codecs.ASSIGNMENT.encode(a2));
            Await.until(Duration.ofSeconds(60), "v2 decided", () -> finished(recorder, a2.getTargetName()));
            List<InstallProgress> p2 = progress(recorder, a2.getTargetName());
            assertEquals(8, p2.get(p2.size() - 1).getResult(), p2.toString());
            assertTrue(p2.get(p2.size() - 1).getMessage().contains("differ"), p2.toString());
            assertEquals(v1, agent.detector().modelSha256(), "v1 keeps running");
            assertEquals(v1, slots.active().orElseThrow().sha256());

            // 3. An assignment the director did not sign: refused before any byte is downloaded.
            TufSigner thief = TufSigner.generate(KeyType.ED25519);
            Assignment a3 = assignment(repo, "models/anomaly-v3.nfm", model(CHANNELS, 300), 3, thief);
            recorder.publish(Topics.ota(DEVICE), Codecs.ASSIGNMENT.encode(a3));
            Await.until(Duration.ofSeconds(60), "v3 refused", () -> finished(recorder, a3.getTargetName()));
            List<InstallProgress> p3 = progress(recorder, a3.getTargetName());
            assertEquals(5, p3.get(p3.size() - 1).getResult(), "integrity failure: " + p3);
            assertEquals(v1, slots.active().orElseThrow().sha256());
            agent.close();
            recorder.close();
        }
    }
}
