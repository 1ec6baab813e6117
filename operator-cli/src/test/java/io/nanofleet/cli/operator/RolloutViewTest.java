package io.nanofleet.cli.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nanofleet.cli.operator.rollout.RolloutFeed;
import io.nanofleet.cli.operator.rollout.RolloutView;
import io.nanofleet.cli.operator.rollout.RolloutWatcher;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rollout views and the watch loop on rollout objects shaped like GET /api/v1/rollouts/{id}. */
class RolloutViewTest {
    static final long T0 = 1_700_000_000_000L;

    /** A rollout with waves of the given states, the current wave and state, and steps. */
    static ObjectNode rollout(String state, int current, String... waveStates) {
        ObjectNode r = Json.MAPPER.createObjectNode().put("id", "ro-1234abcd").put("model", "models/anomaly-v1.nfm").put("state", state)
                .put("currentWave", current).put("baselineMs", 3000).put("observeMs", 10_000).put("installTimeoutMs", 60_000);
        r.putObject("thresholds").put("anomalyRateFactor", 2.0).put("maxRestarts", 0);
        ArrayNode waves = r.putArray("waves");
        String[] sizes = {"1", "10%", "50%", "100%"};
        for (int i = 0; i < waveStates.length; i++) {
            ObjectNode w = waves.addObject().put("size", sizes[i]).put("state", waveStates[i]).put("assignedMs", T0).put("installedMs", T0 + 4000)
                    .put("finishedMs", waveStates[i].equals("PASSED") ? T0 + 14_000 : 0);
            ArrayNode d = w.putArray("devices");
            for (int k = 0; k <= i; k++) {
                d.add("sim-" + i + k);
            }
        }
        r.putArray("steps");
        return r;
    }

    static ObjectNode step(ObjectNode r, String step, String actor, String detail) {
        ArrayNode s = (ArrayNode) r.get("steps");
        int n = s.size();
        s.addObject().put("seq", n + 1).put("tsMs", T0 + n * 1000L).put("actor", actor).put("step", step).put("detail", detail);
        return r;
    }

    @Test
    void outcomesAndTheirExitCodes() {
        assertEquals(ExitCodes.OK, RolloutView.outcome(rollout("COMPLETED", 1, "PASSED", "PASSED"), false).exitCode());
        assertTrue(RolloutView.outcome(rollout("COMPLETED", 1, "PASSED", "PASSED"), false).message().contains("on 3 devices"));
        assertEquals(ExitCodes.FAILED, RolloutView.outcome(rollout("ABORTED", 0, "ROLLED_BACK", "PENDING"), false).exitCode());
        ObjectNode gate = rollout("PAUSED", 0, "ROLLED_BACK", "PENDING").put("reason", "wave 1/2: install failed on sim-00");
        RolloutView.Outcome o = RolloutView.outcome(gate, false);
        assertEquals(ExitCodes.FAILED, o.exitCode());
        assertTrue(o.message().contains("stopped at wave 1") && o.message().contains("install failed on sim-00"), o.message());
        assertTrue(o.hint().contains("nanofleet rollouts resume ro-1234abcd") && o.hint().contains("abort"), o.hint());
        ObjectNode byOperator = rollout("PAUSED", 1, "PASSED", "PENDING").put("reason", "paused by admin");
        assertNull(RolloutView.outcome(byOperator, false), "an operator's pause waits for a resume");
        assertEquals(ExitCodes.PAUSED, RolloutView.outcome(byOperator, true).exitCode());
        assertEquals(ExitCodes.FAILED, RolloutView.outcome(gate, true).exitCode(), "a stopped rollout is a failure even with --until-paused");
        assertNull(RolloutView.outcome(rollout("RUNNING", 0, "INSTALLING"), true));
    }

    @Test
    void wavesShowProgressByState() {
        ObjectNode r = rollout("RUNNING", 2, "PASSED", "OBSERVING", "INSTALLING", "PENDING");
        ((ObjectNode) r.get("waves").get(1)).put("installedMs", T0 + 5000);
        ((ObjectNode) r.get("waves").get(2)).put("assignedMs", T0 + 8000);
        List<String> lines = RolloutView.waves(r, T0 + 10_000).lines();
        assertEquals("WAVE  SIZE  DEVICES  STATE       PROGRESS", lines.get(0));
        assertEquals("1     1     1        PASSED      [####################]  passed after 14s", lines.get(1));
        assertEquals("2     10%   2        OBSERVING   [##########..........]  installed; observing health 5s of 10s", lines.get(2));
        assertEquals("3     50%   3        INSTALLING  [....................]  installing for 2s (fails after 1m)", lines.get(3));
        assertEquals("4     100%  4        PENDING     [....................]", lines.get(4));
        ObjectNode failed = rollout("PAUSED", 0, "ROLLED_BACK");
        ((ObjectNode) failed.get("waves").get(0)).put("verdict", "wave 1/1: anomaly rate 9.0 > 2.0");
        assertTrue(RolloutView.waves(failed, T0).lines().get(1).endsWith("[xxxxxxxxxxxxxxxxxxxx]  rolled back: wave 1/1: anomaly rate 9.0 > 2.0"));
    }

    @Test
    void frameHasHeaderWavesAndLastStepCutToTheTerminalWidth() {
        ObjectNode r = step(rollout("RUNNING", 0, "INSTALLING", "PENDING"), "WAVE_STARTED", "rollout-engine",
                "wave 1/2 (1, 1 devices): assigned models/anomaly-v1.nfm to 1 devices");
        List<String> f = RolloutView.frame(r, T0 + 1000, ZoneOffset.UTC, 200);
        assertEquals("ro-1234abcd  models/anomaly-v1.nfm  RUNNING  wave 1 of 2", f.get(0));
        assertEquals("last: 22:13:20  WAVE_STARTED  wave 1/2 (1, 1 devices): assigned models/anomaly-v1.nfm to 1 devices", f.get(f.size() - 1));
        for (String l : RolloutView.frame(r, T0 + 1000, ZoneOffset.UTC, 40)) {
            assertTrue(l.length() <= 39, l);
        }
        step(r, "PAUSED", "admin", "by operator");
        assertTrue(RolloutView.stepLine(r.get("steps").get(1), ZoneOffset.UTC).endsWith("PAUSED  by operator  (by admin)"));
    }

    /** A feed that replays states, then keeps answering the last one. */
    static final class Replay implements RolloutFeed {
        final Deque<JsonNode> states;
        int calls;

        Replay(JsonNode... states) {
            this.states = new ArrayDeque<>(List.of(states));
        }

        @Override
        public JsonNode next(long maxWaitMs) {
            calls++;
            return states.size() > 1 ? states.poll() : states.peek();
        }
    }

    record Watched(int code, String out, CliException error) {
    }

    static Watched watch(RolloutWatcher.Mode mode, boolean untilPaused, java.time.Duration timeout, Clock clock, JsonNode... states) {
        StringWriter out = new StringWriter();
        Env env = new Env(Map.of("COLUMNS", "200"), Path.of("/nonexistent"), new BufferedReader(new StringReader("")), new PrintWriter(out),
                new PrintWriter(new StringWriter()), false, mode == RolloutWatcher.Mode.TERMINAL, false, clock, ZoneOffset.UTC, d -> { },
                () -> TestEnv.HTTP, p -> null);
        try {
            int code = new RolloutWatcher(env, mode, untilPaused, timeout).watch(new Replay(states), 10);
            return new Watched(code, out.toString(), null);
        } catch (CliException e) {
            return new Watched(e.exitCode(), out.toString(), e);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    static JsonNode[] goodRun() {
        ObjectNode a = step(rollout("RUNNING", 0, "INSTALLING", "PENDING"), "CREATED", "admin", "model m, 2 waves");
        step(a, "WAVE_STARTED", "rollout-engine", "wave 1/2");
        ObjectNode b = a.deepCopy();
        ((ObjectNode) b.get("waves").get(0)).put("state", "OBSERVING");
        step(b, "INSTALLED", "rollout-engine", "wave 1/2: all devices report success");
        ObjectNode c = rollout("COMPLETED", 1, "PASSED", "PASSED");
        c.set("steps", b.get("steps").deepCopy());
        step(c, "WAVE_PASSED", "rollout-engine", "wave 1/2");
        step(c, "WAVE_STARTED", "rollout-engine", "wave 2/2");
        step(c, "INSTALLED", "rollout-engine", "wave 2/2");
        step(c, "WAVE_PASSED", "rollout-engine", "wave 2/2");
        step(c, "COMPLETED", "rollout-engine", "m on every device of the rollout");
        return new JsonNode[] {a, a, b, c};
    }

    @Test
    void linesModePrintsEveryStepOnceThenHowItEnded() {
        Watched w = watch(RolloutWatcher.Mode.LINES, false, null, Clock.systemUTC(), goodRun());
        assertEquals(0, w.code());
        String[] lines = w.out().split("\\R");
        assertEquals(9, lines.length, w.out());
        assertTrue(lines[0].endsWith("CREATED  model m, 2 waves  (by admin)"), lines[0]);
        assertTrue(lines[7].contains("COMPLETED  m on every device"), lines[7]);
        assertEquals("rollout ro-1234abcd completed: models/anomaly-v1.nfm on 3 devices", lines[8]);
    }

    @Test
    void jsonModePrintsOneLinePerChangeAndNothingElse() throws Exception {
        Watched w = watch(RolloutWatcher.Mode.JSON, false, null, Clock.systemUTC(), goodRun());
        assertEquals(0, w.code());
        String[] lines = w.out().split("\\R");
        assertEquals(3, lines.length, "a, b, c: the repeated a is not printed again\n" + w.out());
        assertEquals("COMPLETED", Json.MAPPER.readTree(lines[2]).path("state").asText());
    }

    @Test
    void terminalModeRedrawsTheFrameInPlace() {
        Watched w = watch(RolloutWatcher.Mode.TERMINAL, false, null, Clock.systemUTC(), goodRun());
        assertEquals(0, w.code());
        assertEquals(3, w.out().split("\u001b\\[\\d+A", -1).length - 1, "cursor moved up before each of the 3 redraws");
        assertTrue(w.out().contains("\u001b[2K"), "lines are cleared before they are redrawn");
        assertTrue(w.out().endsWith("rollout ro-1234abcd completed: models/anomaly-v1.nfm on 3 devices" + System.lineSeparator()), w.out());
    }

    @Test
    void stoppedByTheGateIsExit1PausedIsExit3WithUntilPausedAndATimeoutIsExit1() {
        ObjectNode gate = step(rollout("PAUSED", 0, "ROLLED_BACK", "PENDING"), "PAUSED", "rollout-engine", "automatic, after INSTALL_FAILED")
                .put("reason", "wave 1/2: install failed on sim-00 (result 5)");
        Watched w = watch(RolloutWatcher.Mode.LINES, false, null, Clock.systemUTC(), gate);
        assertEquals(ExitCodes.FAILED, w.code());
        assertTrue(w.error().getMessage().contains("install failed on sim-00"), w.error().getMessage());
        ObjectNode paused = step(rollout("PAUSED", 1, "PASSED", "PENDING"), "PAUSED", "admin", "by operator").put("reason", "paused by admin");
        assertEquals(ExitCodes.PAUSED, watch(RolloutWatcher.Mode.LINES, true, null, Clock.systemUTC(), paused).code());
        Clock moving = new Clock() {
            long t = T0;

            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                t += 1000;
                return Instant.ofEpochMilli(t);
            }
        };
        Watched timedOut = watch(RolloutWatcher.Mode.LINES, false, java.time.Duration.ofSeconds(5), moving, paused);
        assertEquals(ExitCodes.FAILED, timedOut.code());
        assertTrue(timedOut.error().getMessage().contains("is still PAUSED after 5s (--timeout)"), timedOut.error().getMessage());
    }
}
