package io.nanofleet.cli.operator.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanofleet.cli.operator.ExitCodes;
import io.nanofleet.cli.operator.Format;
import io.nanofleet.cli.operator.Json;
import io.nanofleet.cli.operator.Table;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * How a rollout ({@code GET /api/v1/rollouts/{id}}) reads: a header, a waves table with each wave's progress,
 * the step lines, and how it ended. Pure functions of the rollout's JSON and the time, so they are unit-tested.
 */
public final class RolloutView {
    static final int BAR = 20;

    private RolloutView() {
    }

    /** How a watched rollout ended (or null while it goes on). */
    public record Outcome(int exitCode, String message, String hint) {
    }

    public static String state(JsonNode r) {
        return Json.text(r, "state");
    }

    /** The wave the rollout is at (0-based {@code currentWave}), or null. */
    static JsonNode currentWave(JsonNode r) {
        JsonNode waves = r.path("waves");
        int i = r.path("currentWave").asInt(0);
        return i >= 0 && i < waves.size() ? waves.get(i) : null;
    }

    /** Paused by the engine: the current wave failed (install or health) and was rolled back. */
    public static boolean stoppedByHealthGate(JsonNode r) {
        JsonNode w = currentWave(r);
        String ws = w == null ? "" : Json.text(w, "state");
        return "PAUSED".equals(state(r)) && (ws.equals("FAILED") || ws.equals("ROLLED_BACK"));
    }

    /**
     * When a watch ends: COMPLETED (0); ABORTED (1); PAUSED by the health gate (1: a wave failed and was rolled
     * back); PAUSED by an operator only with {@code untilPaused} (3), else the watch waits for a resume.
     */
    public static Outcome outcome(JsonNode r, boolean untilPaused) {
        String id = Json.text(r, "id");
        String reason = Json.text(r, "reason");
        switch (state(r)) {
            case "COMPLETED":
                return new Outcome(ExitCodes.OK, "rollout " + id + " completed: " + Json.text(r, "model") + " on " + devices(r)
                        + " devices", null);
            case "ABORTED":
                return new Outcome(ExitCodes.FAILED, "rollout " + id + " was aborted" + (reason.isEmpty() ? "" : " (" + reason + ")")
                        + "; its devices were sent back to their previous model", null);
            case "PAUSED":
                if (stoppedByHealthGate(r)) {
                    return new Outcome(ExitCodes.FAILED, "rollout " + id + " stopped at wave " + (r.path("currentWave").asInt() + 1)
                            + " and rolled it back: " + reason,
                            "retry the wave: nanofleet rollouts resume " + id + "; or end it: nanofleet rollouts abort " + id);
                }
                if (untilPaused) {
                    return new Outcome(ExitCodes.PAUSED, "rollout " + id + " is paused" + (reason.isEmpty() ? "" : " (" + reason + ")"),
                            "continue it: nanofleet rollouts resume " + id);
                }
                return null;
            default:
                return null;
        }
    }

    static int devices(JsonNode r) {
        int n = 0;
        for (JsonNode w : r.path("waves")) {
            n += w.path("devices").size();
        }
        return n;
    }

    /** {@code ro-1a2b3c4d  models/anomaly-v1.nfm  RUNNING  wave 2 of 4  (reason)}. */
    public static String header(JsonNode r) {
        String reason = Json.text(r, "reason");
        return Json.text(r, "id") + "  " + Json.text(r, "model") + "  " + state(r) + "  wave " + (r.path("currentWave").asInt() + 1)
                + " of " + r.path("waves").size() + (reason.isEmpty() ? "" : "  (" + reason + ")");
    }

    /** The waves table: number, size, devices, state, a progress bar and what it means. */
    public static Table waves(JsonNode r, long nowMs) {
        Table t = new Table("wave", "size", "devices", "state", "progress", "").emptyAs("");
        int i = 0;
        for (JsonNode w : r.path("waves")) {
            i++;
            String[] p = progress(r, w, nowMs);
            t.row(i, Json.text(w, "size"), w.path("devices").size(), Json.text(w, "state"), p[0], p[1]);
        }
        return t;
    }

    /** A wave's bar and words. Installing has no per-device count in the API: elapsed time against the install timeout. */
    static String[] progress(JsonNode r, JsonNode w, long nowMs) {
        long observe = r.path("observeMs").asLong();
        long timeout = r.path("installTimeoutMs").asLong();
        switch (Json.text(w, "state")) {
            case "INSTALLING": {
                long since = Math.max(0, nowMs - w.path("assignedMs").asLong());
                return new String[] {Format.bar(0, BAR), "installing for " + Format.duration(Duration.ofMillis(since))
                        + " (fails after " + Format.duration(Duration.ofMillis(timeout)) + ")"};
            }
            case "OBSERVING": {
                long since = Math.max(0, nowMs - w.path("installedMs").asLong());
                double f = observe <= 0 ? 1 : Math.min(1, (double) since / observe);
                return new String[] {Format.bar(f, BAR), "installed; observing health " + Format.duration(Duration.ofMillis(Math.min(since, observe)))
                        + " of " + Format.duration(Duration.ofMillis(observe))};
            }
            case "PASSED":
                return new String[] {Format.bar(1, BAR), "passed" + took(w)};
            case "FAILED":
            case "ROLLED_BACK":
                return new String[] {"[" + "x".repeat(BAR) + "]", (Json.text(w, "state").equals("FAILED") ? "failed" : "rolled back")
                        + (Json.text(w, "verdict").isEmpty() ? "" : ": " + Json.text(w, "verdict"))};
            default:
                return new String[] {Format.bar(0, BAR), ""};
        }
    }

    private static String took(JsonNode w) {
        long a = w.path("assignedMs").asLong();
        long f = w.path("finishedMs").asLong();
        return a > 0 && f >= a ? " after " + Format.duration(Duration.ofMillis(f - a)) : "";
    }

    /** One line per step: {@code 12:00:03  WAVE_STARTED  wave 1/4 (1, 1 devices): ...} ({@code by NAME} for an operator's steps). */
    public static String stepLine(JsonNode step, ZoneId zone) {
        String actor = Json.text(step, "actor");
        return Format.clock(step.path("tsMs").asLong(), zone) + "  " + Json.text(step, "step") + "  " + Json.text(step, "detail")
                + (actor.isEmpty() || actor.equals("rollout-engine") ? "" : "  (by " + actor + ")");
    }

    /** Steps with {@code seq} above {@code afterSeq}, in order. */
    public static List<JsonNode> stepsAfter(JsonNode r, long afterSeq) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode s : r.path("steps")) {
            if (s.path("seq").asLong() > afterSeq) {
                out.add(s);
            }
        }
        return out;
    }

    /** The terminal frame: header, waves, the latest step. */
    public static List<String> frame(JsonNode r, long nowMs, ZoneId zone, int columns) {
        List<String> lines = new ArrayList<>();
        lines.add(header(r));
        lines.addAll(waves(r, nowMs).lines());
        JsonNode steps = r.path("steps");
        if (steps.size() > 0) {
            lines.add("last: " + stepLine(steps.get(steps.size() - 1), zone));
        }
        List<String> cut = new ArrayList<>();
        for (String l : lines) {
            cut.add(l.length() > columns - 1 ? l.substring(0, Math.max(0, columns - 4)) + "..." : l);
        }
        return cut;
    }
}
