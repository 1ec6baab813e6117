package io.nanofleet.server.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.ota.metadata.Root;
import io.nanofleet.ota.repo.TargetKind;
import io.nanofleet.server.Await;
import io.nanofleet.server.Ports;
import io.nanofleet.server.broker.EmbeddedBroker;
import io.nanofleet.server.ingest.BrokerConnection;
import io.nanofleet.server.ingest.DeviceGateway;
import io.nanofleet.server.ingest.Downlinks;
import io.nanofleet.server.ingest.IngestBus;
import io.nanofleet.server.ingest.ServerMqttClient;
import io.nanofleet.server.models.ModelAssigner;
import io.nanofleet.server.models.ModelRepository;
import io.nanofleet.server.store.BatchWriter;
import io.nanofleet.server.store.FleetStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rollout test: 50 simulated devices over the real embedded broker, a real update
 * repository signing real director assignments, the real ingest path and SQLite. A good model goes to
 * every device through four waves (with an operator pause and resume on the way); a model that floods
 * anomaly events is stopped at the canary, which returns to its previous model; every step is in the
 * rollout's step list and the audit sink. The devices are protocol-level doubles ({@link SimulatedDevice})
 * because a real agent judges a new model in shadow before it goes live and would never flood; the same
 * rollout with 50 real agents (enrollment, TLS, TUF download, A/B install) is simulators' AgentRolloutIT.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RolloutIT {
    static final int DEVICES = 50;
    static final String V1 = "models/anomaly-v1.nfm";
    static final String V2 = "models/anomaly-v2.nfm";
    static final String BAD = "models/anomaly-bad.nfm";

    @TempDir
    static Path dir;
    FleetStore store;
    BatchWriter writer;
    EmbeddedBroker broker;
    DeviceGateway gateway;
    ModelRepository repo;
    ServerMqttClient mqtt;
    RolloutEngine engine;
    RolloutStore rollouts;
    final List<String> audit = Collections.synchronizedList(new ArrayList<>());
    final List<SimulatedDevice> devices = new ArrayList<>();
    ScheduledExecutorService timer;

    @BeforeAll
    void start() throws Exception {
        store = FleetStore.open("jdbc:sqlite:" + dir.resolve("fleet.db").toAbsolutePath());
        writer = new BatchWriter(store, 50_000);
        broker = EmbeddedBroker.start(dir.resolve("broker"), "127.0.0.1", Ports.freePort());
        DeviceHealthLog health = new DeviceHealthLog(System::currentTimeMillis, 600_000);
        gateway = new DeviceGateway(new IngestBus().add(IngestBus.Scope.ONCE, writer).add(IngestBus.Scope.EVERY_INSTANCE, health),
                System::currentTimeMillis);
        mqtt = new ServerMqttClient(BrokerConnection.plain(broker.localUri()), gateway, false).start();
        repo = ModelRepository.openOrCreate(dir, Clock.systemUTC(), Duration.ofDays(1), true);
        for (String name : List.of(V1, V2, BAD)) {
            Path f = Files.writeString(dir.resolve(name.substring(7)), "model bytes of " + name);
            repo.publish(f, name, TargetKind.ANOMALY_MODEL, List.of("sim-hw"), name.equals(BAD) ? 3 : name.equals(V2) ? 2 : 1);
        }
        rollouts = new RolloutStore(store::connection);
        ModelAssigner assigner = new ModelAssigner(repo, new Downlinks(mqtt), store);
        engine = new RolloutEngine(rollouts, health, assigner::assign,
                (actor, action, target, detail) -> audit.add(actor + " " + action + " " + target),
                LeaderElection.always(), System::currentTimeMillis).start(200);
        Root root = repo.rootForDevices();
        timer = Executors.newScheduledThreadPool(4);
        for (int i = 0; i < DEVICES; i++) {
            devices.add(new SimulatedDevice(String.format("sim-%02d", i), broker.localUri(), root, V1).start(timer));
        }
        // Assignments carry the hardware id the server stored from each device's state.
        Await.until(Duration.ofSeconds(30), "all devices stored with their hardware id", store::devices,
                l -> l.stream().filter(d -> "sim-hw".equals(d.hardwareId())).count() == DEVICES);
        Await.until(Duration.ofSeconds(30), "every device's model known to the rollout signals",
                () -> devices.stream().filter(d -> health.currentModel(d.id).isPresent()).count(), n -> n == DEVICES);
        Thread.sleep(1500); // a baseline window of normal operation before the first wave
    }

    @AfterAll
    void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
        devices.forEach(SimulatedDevice::close);
        for (AutoCloseable c : new AutoCloseable[] {engine, mqtt, writer, broker, store}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    Rollout.Timing timing() {
        return new Rollout.Timing(1500, 1500, 15_000);
    }

    List<String> ids() {
        return devices.stream().map(d -> d.id).collect(Collectors.toList());
    }

    Rollout await(String id, Rollout.State state) throws Exception {
        return Await.until(Duration.ofSeconds(60), "rollout " + id + " " + state, () -> rollouts.get(id).orElseThrow(),
                r -> r.state() == state);
    }

    List<String> steps(String id) throws Exception {
        return rollouts.steps(id).stream().map(RolloutStore.Step::step).collect(Collectors.toList());
    }

    @Test
    void goodModelReachesEveryDeviceThenBadModelIsStoppedAtTheCanaryAndRolledBack() throws Exception {
        // Good model, four waves, paused and resumed by an operator after the canary.
        Rollout good = engine.create(Rollout.plan("r-good", V2, ids(), List.of("1", "10%", "50%", "100%"),
                HealthGate.DEFAULT, timing()), "alice");
        assertEquals(List.of(1, 4, 20, 25), good.waves().stream().map(w -> w.devices().size()).collect(Collectors.toList()));
        Await.until(Duration.ofSeconds(30), "canary passed", () -> rollouts.get("r-good").orElseThrow(), r -> r.currentWave() >= 1);
        engine.request("r-good", "pause", "alice");
        Rollout paused = await("r-good", Rollout.State.PAUSED);
        int waveWhenPaused = paused.currentWave();
        Thread.sleep(1000);
        assertEquals(waveWhenPaused, rollouts.get("r-good").orElseThrow().currentWave(), "a paused rollout does not advance");
        engine.request("r-good", "resume", "alice");
        Rollout done = await("r-good", Rollout.State.COMPLETED);
        assertTrue(done.waves().stream().allMatch(w -> w.state() == Rollout.WaveState.PASSED), done.toJson().encodePrettily());
        Await.until(Duration.ofSeconds(15), "every device runs " + V2,
                () -> devices.stream().filter(d -> V2.equals(d.model)).count(), n -> n == DEVICES);
        assertEquals(0, devices.stream().mapToInt(d -> d.rejectedAssignments).sum(), "every director signature verified");
        List<String> goodSteps = steps("r-good");
        assertEquals(List.of("CREATED", "WAVE_STARTED", "INSTALLED", "WAVE_PASSED", "PAUSED", "RESUMED"),
                goodSteps.subList(0, 6), goodSteps.toString());
        assertEquals(4, Collections.frequency(goodSteps, "WAVE_PASSED"), goodSteps.toString());
        assertEquals("COMPLETED", goodSteps.get(goodSteps.size() - 1));

        // Bad model: the canary floods anomaly events; the rollout pauses and the canary goes back to v2.
        Rollout bad = engine.create(Rollout.plan("r-bad", BAD, ids(), List.of("1", "10%", "50%", "100%"),
                HealthGate.DEFAULT, timing()), "alice");
        String canary = bad.waves().get(0).devices().get(0);
        Rollout stopped = await("r-bad", Rollout.State.PAUSED);
        assertEquals(0, stopped.currentWave(), "stopped at the canary");
        assertEquals(Rollout.WaveState.ROLLED_BACK, stopped.waves().get(0).state());
        assertTrue(stopped.reason().contains("anomaly rate"), stopped.reason());
        SimulatedDevice c = devices.stream().filter(d -> d.id.equals(canary)).findFirst().orElseThrow();
        Await.until(Duration.ofSeconds(15), "canary back on " + V2, () -> c.model, V2::equals);
        assertEquals(DEVICES, devices.stream().filter(d -> V2.equals(d.model)).count(), "no other device got the bad model");
        List<String> badSteps = steps("r-bad");
        assertEquals(List.of("CREATED", "WAVE_STARTED", "INSTALLED", "HEALTH_FAILED", "ROLLED_BACK", "PAUSED"), badSteps);
        engine.request("r-bad", "abort", "alice");
        await("r-bad", Rollout.State.ABORTED);

        // The audit sink saw every step of both rollouts, in order.
        List<String> expected = new ArrayList<>();
        for (String id : List.of("r-good", "r-bad")) {
            for (RolloutStore.Step s : rollouts.steps(id)) {
                expected.add(s.actor() + " rollout." + s.step().toLowerCase(java.util.Locale.ROOT) + " " + id);
            }
        }
        assertEquals(expected, new ArrayList<>(audit));
    }
}
