package io.nanofleet.server.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Wave planning, the health rule, and the JSON round trip the leader relies on. */
class RolloutPlanTest {
    static final Rollout.Timing T = new Rollout.Timing(1000, 1000, 1000);

    static List<String> fleet(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("d-" + i);
        }
        return out;
    }

    static List<Integer> sizes(Rollout r) {
        return r.waves().stream().map(w -> w.devices().size()).collect(Collectors.toList());
    }

    @Test
    void wavesAreCumulativeAndTheLastTakesTheRest() {
        assertEquals(List.of(1, 9, 40, 50), sizes(Rollout.plan("r", "m", fleet(100), List.of("1", "10%", "50%", "100%"), HealthGate.DEFAULT, T)));
        assertEquals(List.of(1, 1, 1), sizes(Rollout.plan("r", "m", fleet(3), List.of("1", "10%", "50%", "100%"), HealthGate.DEFAULT, T)));
        assertEquals(List.of(5, 5), sizes(Rollout.plan("r", "m", fleet(10), List.of("5", "60%"), HealthGate.DEFAULT, T)));
        assertEquals(List.of(1), sizes(Rollout.plan("r", "m", fleet(1), List.of("1", "100%"), HealthGate.DEFAULT, T)));
    }

    @Test
    void badPlansAreRefusedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Rollout.plan("r", "m", fleet(10), List.of("0%"), HealthGate.DEFAULT, T));
        assertTrue(e.getMessage().contains("(0, 100]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Rollout.plan("r", "m", fleet(10), List.of("ten"), HealthGate.DEFAULT, T));
        assertThrows(IllegalArgumentException.class, () -> Rollout.plan("r", "m", fleet(10), List.of("5", "2", "100%"), HealthGate.DEFAULT, T));
        assertThrows(IllegalArgumentException.class, () -> Rollout.plan("r", "m", List.of(), List.of("1"), HealthGate.DEFAULT, T));
        assertThrows(IllegalArgumentException.class, () -> new Rollout.Timing(0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new HealthGate(0.5, 1, 50, 0));
    }

    @Test
    void healthRuleComparesTheSameDevicesBeforeAndAfter() {
        HealthGate g = HealthGate.DEFAULT;
        FleetSignals.Health quiet = new FleetSignals.Health(0, 1000 * 10, 10, 0);
        // 4 devices, 1 minute windows: 2 anomalies after vs 0 before is 0.5/device-min, within the slack of 1.
        assertNull(g.verdict(quiet, 60_000, new FleetSignals.Health(2, 10_000, 10, 0), 60_000, 4));
        assertTrue(g.verdict(quiet, 60_000, new FleetSignals.Health(40, 10_000, 10, 0), 60_000, 4).startsWith("anomaly rate"));
        // Doubling a noisy baseline is allowed (factor 2 + slack), tripling is not.
        FleetSignals.Health noisy = new FleetSignals.Health(40, 10_000, 10, 0);
        assertNull(g.verdict(noisy, 60_000, new FleetSignals.Health(80, 10_000, 10, 0), 60_000, 4));
        assertTrue(g.verdict(noisy, 60_000, new FleetSignals.Health(130, 10_000, 10, 0), 60_000, 4) != null);
        assertTrue(g.verdict(quiet, 60_000, new FleetSignals.Health(0, 1600 * 10, 10, 0), 60_000, 4).startsWith("inference latency"));
        assertNull(g.verdict(quiet, 60_000, new FleetSignals.Health(0, 1400 * 10, 10, 0), 60_000, 4));
        assertTrue(g.verdict(quiet, 60_000, new FleetSignals.Health(0, 10_000, 10, 1), 60_000, 4).contains("restarts"));
        assertNull(g.verdict(quiet, 60_000, new FleetSignals.Health(0, 0, 0, 0), 60_000, 4), "no latency samples: not judged");
    }

    @Test
    void jsonRoundTripKeepsEverything() {
        Rollout r = Rollout.plan("r-1", "models/m.nfm", fleet(20), List.of("1", "50%"), new HealthGate(3, 2, 20, 1), T);
        r.waves().get(0).state = Rollout.WaveState.PASSED;
        r.waves().get(0).previous.put("d-0", "models/old.nfm");
        r.current = 1;
        r.state = Rollout.State.PAUSED;
        r.reason = "why";
        Rollout back = Rollout.fromJson(r.toJson());
        assertEquals(r.toJson(), back.toJson());
    }
}
