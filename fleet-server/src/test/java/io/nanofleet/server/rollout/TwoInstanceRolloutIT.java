package io.nanofleet.server.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.server.Await;
import io.nanofleet.server.store.FleetStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Two live server instances on one PostgreSQL (NANOFLEET_IT_PG_URL), each with its own rollout engine
 * ticking every 100 ms: only the advisory-lock holder drives a rollout, so each device is assigned once
 * and every step is recorded once; when the leader's instance dies mid-rollout, the other finishes it.
 * Devices and their reports are a stand-in (install succeeds as soon as assigned): the subject here is
 * the coordination, which the in-process tests cannot show.
 */
class TwoInstanceRolloutIT {
    /** Install reports: a device has installed what it was last assigned. */
    static final class Fleet implements FleetSignals {
        final Map<String, String> model = new ConcurrentHashMap<>();
        final List<String> assignments = Collections.synchronizedList(new ArrayList<>());

        Assigner assignerFor(String instance) {
            return (device, target) -> {
                assignments.add(instance + " " + device + " " + target);
                model.put(device, target);
            };
        }

        @Override
        public InstallStatus install(String deviceId, String target, long sinceMs) {
            return target.equals(model.get(deviceId)) ? InstallStatus.SUCCEEDED : InstallStatus.PENDING;
        }

        @Override
        public String installDetail(String deviceId, String target) {
            return "";
        }

        @Override
        public Health health(String deviceId, long fromMs, long toMs) {
            return Health.NONE;
        }

        @Override
        public Optional<String> currentModel(String deviceId) {
            return Optional.ofNullable(model.get(deviceId));
        }
    }

    @Test
    void onlyTheLeaderDrivesAndTheOtherInstanceTakesOver() throws Exception {
        String base = PostgresLeaderElectionIT.jdbcUrl();
        Assumptions.assumeTrue(base != null, "NANOFLEET_IT_PG_URL is not set (e.g. postgresql://127.0.0.1:5432/test?user=postgres); "
                + "skipping the two-instance rollout test");
        String schema = "nf_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        Fleet fleet = new Fleet();
        List<String> devices = IntStream.range(0, 10).mapToObj(i -> "dev-" + i).collect(Collectors.toList());
        FleetStore storeA = FleetStore.open(url);
        FleetStore storeB = FleetStore.open(url);
        PostgresLeaderElection leaderA = new PostgresLeaderElection(() -> DriverManager.getConnection(base));
        PostgresLeaderElection leaderB = new PostgresLeaderElection(() -> DriverManager.getConnection(base));
        RolloutStore rolloutsA = new RolloutStore(storeA::connection);
        RolloutStore rolloutsB = new RolloutStore(storeB::connection);
        // A takes the lock before either engine ticks, so the test knows which instance leads.
        assertTrue(leaderA.isLeader());
        RolloutEngine a = new RolloutEngine(rolloutsA, fleet, fleet.assignerFor("A"), RolloutAudit.NONE, leaderA,
                System::currentTimeMillis).start(100);
        RolloutEngine b = new RolloutEngine(rolloutsB, fleet, fleet.assignerFor("B"), RolloutAudit.NONE, leaderB,
                System::currentTimeMillis).start(100);
        try {
            // 1. Both instances run; the rollout is created on B (any instance may), A drives it.
            Rollout.Timing fast = new Rollout.Timing(100, 300, 10_000);
            b.create(Rollout.plan("two-1", "models/m1.nfm", devices, List.of("1", "50%", "100%"), HealthGate.DEFAULT, fast), "op");
            Await.until(Duration.ofSeconds(30), "two-1 completed", () -> rolloutsB.get("two-1").orElseThrow().state(),
                    s -> s == Rollout.State.COMPLETED);
            List<String> first = new ArrayList<>(fleet.assignments);
            assertEquals(devices.size(), first.size(), "each device assigned exactly once: " + first);
            assertTrue(first.stream().allMatch(x -> x.startsWith("A ")), "only the leader assigns: " + first);
            List<String> steps = rolloutsB.steps("two-1").stream().map(RolloutStore.Step::step).collect(Collectors.toList());
            assertEquals(List.of("CREATED", "WAVE_STARTED", "INSTALLED", "WAVE_PASSED", "WAVE_STARTED", "INSTALLED",
                    "WAVE_PASSED", "WAVE_STARTED", "INSTALLED", "WAVE_PASSED", "COMPLETED"), steps, "every step once");

            // 2. A long observation window; A dies after the first wave, B finishes.
            fleet.assignments.clear();
            Rollout.Timing slow = new Rollout.Timing(100, 1500, 10_000);
            a.create(Rollout.plan("two-2", "models/m2.nfm", devices, List.of("1", "100%"), HealthGate.DEFAULT, slow), "op");
            // Wait until A has saved the canary wave as observing: killing it between assigning and saving would
            // make B assign the canary again, which is correct but not what this step checks.
            Await.until(Duration.ofSeconds(30), "two-2 canary installed and observed by A",
                    () -> rolloutsB.get("two-2").orElseThrow().waves().get(0).state(), st -> st == Rollout.WaveState.OBSERVING);
            a.close();
            leaderA.close(); // its database session ends, as when the instance stops or crashes
            Await.until(Duration.ofSeconds(30), "two-2 completed by B", () -> rolloutsB.get("two-2").orElseThrow().state(),
                    s -> s == Rollout.State.COMPLETED);
            List<String> second = new ArrayList<>(fleet.assignments);
            assertTrue(second.get(0).startsWith("A "), "the canary was A's: " + second);
            assertTrue(second.subList(1, second.size()).stream().allMatch(x -> x.startsWith("B ")), "the rest is B's: " + second);
            assertEquals(devices.size(), second.size(), "no device assigned twice across the failover: " + second);
            assertTrue(devices.stream().allMatch(d -> "models/m2.nfm".equals(fleet.model.get(d))));
        } finally {
            a.close();
            b.close();
            leaderA.close();
            leaderB.close();
            storeA.close();
            storeB.close();
            try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }
}
