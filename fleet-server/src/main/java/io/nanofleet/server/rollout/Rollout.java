package io.nanofleet.server.rollout;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One rollout's whole state; the leader mutates it and stores it as JSON after every step. */
public final class Rollout {
    public enum State { RUNNING, PAUSED, ABORTED, COMPLETED }

    public enum WaveState { PENDING, INSTALLING, OBSERVING, PASSED, FAILED, ROLLED_BACK }

    /** Timing of every wave: how long to watch before and after an install, and how long an install may take. */
    public record Timing(long baselineMs, long observeMs, long installTimeoutMs) {
        public Timing {
            if (baselineMs <= 0 || observeMs <= 0 || installTimeoutMs <= 0) {
                throw new IllegalArgumentException("baselineMs, observeMs and installTimeoutMs must be positive");
            }
        }
    }

    public static final class Wave {
        final String size;
        final List<String> devices;
        WaveState state = WaveState.PENDING;
        long assignedMs;
        long installedMs;
        long finishedMs;
        final Map<String, String> previous = new LinkedHashMap<>();
        String verdict;
        JsonObject before;
        JsonObject after;

        Wave(String size, List<String> devices) {
            this.size = size;
            this.devices = List.copyOf(devices);
        }

        public List<String> devices() {
            return devices;
        }

        public WaveState state() {
            return state;
        }

        JsonObject toJson() {
            JsonObject prev = new JsonObject();
            previous.forEach(prev::put);
            return new JsonObject().put("size", size).put("devices", new JsonArray(new ArrayList<>(devices)))
                    .put("state", state.name()).put("assignedMs", assignedMs).put("installedMs", installedMs)
                    .put("finishedMs", finishedMs).put("previous", prev).put("verdict", verdict)
                    .put("before", before).put("after", after);
        }

        static Wave fromJson(JsonObject o) {
            List<String> devices = new ArrayList<>();
            o.getJsonArray("devices").forEach(d -> devices.add((String) d));
            Wave w = new Wave(o.getString("size"), devices);
            w.state = WaveState.valueOf(o.getString("state"));
            w.assignedMs = o.getLong("assignedMs", 0L);
            w.installedMs = o.getLong("installedMs", 0L);
            w.finishedMs = o.getLong("finishedMs", 0L);
            JsonObject prev = o.getJsonObject("previous", new JsonObject());
            prev.forEach(e -> w.previous.put(e.getKey(), (String) e.getValue()));
            w.verdict = o.getString("verdict");
            w.before = o.getJsonObject("before");
            w.after = o.getJsonObject("after");
            return w;
        }
    }

    private final String id;
    private final String model;
    private final HealthGate gate;
    private final Timing timing;
    private final List<Wave> waves;
    State state = State.RUNNING;
    int current;
    String reason;

    Rollout(String id, String model, HealthGate gate, Timing timing, List<Wave> waves) {
        this.id = id;
        this.model = model;
        this.gate = gate;
        this.timing = timing;
        this.waves = waves;
    }

    /**
     * Splits {@code devices} into waves by cumulative size: "1" (a count) or "10%" (of all devices),
     * each wave adding devices until the running total reaches its size. Sizes must not shrink, and the
     * last wave always takes every remaining device (so "100%" is implied).
     */
    public static Rollout plan(String id, String model, List<String> devices, List<String> sizes, HealthGate gate, Timing timing) {
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("no devices to roll out to");
        }
        if (sizes.isEmpty()) {
            throw new IllegalArgumentException("at least one wave, e.g. [\"1\", \"10%\", \"50%\", \"100%\"]");
        }
        for (String size : sizes) {
            cumulative(size, devices.size()); // every size must parse, even the last (which takes the rest)
        }
        List<Wave> waves = new ArrayList<>();
        int done = 0;
        for (int i = 0; i < sizes.size() && done < devices.size(); i++) {
            int total = i == sizes.size() - 1 ? devices.size() : Math.min(devices.size(), cumulative(sizes.get(i), devices.size()));
            if (total <= done) {
                if (cumulative(sizes.get(i), devices.size()) < done) {
                    throw new IllegalArgumentException("wave sizes must not shrink: " + sizes);
                }
                continue;
            }
            waves.add(new Wave(sizes.get(i), devices.subList(done, total)));
            done = total;
        }
        return new Rollout(id, model, gate, timing, waves);
    }

    static int cumulative(String size, int fleet) {
        String s = size.trim();
        try {
            if (s.endsWith("%")) {
                double pct = Double.parseDouble(s.substring(0, s.length() - 1));
                if (pct <= 0 || pct > 100) {
                    throw new IllegalArgumentException("wave percentage must be in (0, 100]: " + size);
                }
                return Math.max(1, (int) Math.ceil(fleet * pct / 100));
            }
            int n = Integer.parseInt(s);
            if (n < 1) {
                throw new IllegalArgumentException("wave device count must be >= 1: " + size);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("wave size must be a device count (\"1\") or a percentage (\"10%\"): " + size);
        }
    }

    public String id() {
        return id;
    }

    public String model() {
        return model;
    }

    public State state() {
        return state;
    }

    public int currentWave() {
        return current;
    }

    public List<Wave> waves() {
        return waves;
    }

    public String reason() {
        return reason;
    }

    HealthGate gate() {
        return gate;
    }

    Timing timing() {
        return timing;
    }

    public JsonObject toJson() {
        JsonArray w = new JsonArray();
        waves.forEach(x -> w.add(x.toJson()));
        return new JsonObject().put("id", id).put("model", model).put("state", state.name()).put("currentWave", current)
                .put("reason", reason).put("thresholds", gate.toJson())
                .put("baselineMs", timing.baselineMs()).put("observeMs", timing.observeMs())
                .put("installTimeoutMs", timing.installTimeoutMs()).put("waves", w);
    }

    @Override
    public String toString() {
        return toJson().encode();
    }

    public static Rollout fromJson(JsonObject o) {
        List<Wave> waves = new ArrayList<>();
        o.getJsonArray("waves").forEach(x -> waves.add(Wave.fromJson((JsonObject) x)));
        Rollout r = new Rollout(o.getString("id"), o.getString("model"), HealthGate.fromJson(o.getJsonObject("thresholds")),
                new Timing(o.getLong("baselineMs"), o.getLong("observeMs"), o.getLong("installTimeoutMs")), waves);
        r.state = State.valueOf(o.getString("state"));
        r.current = o.getInteger("currentWave", 0);
        r.reason = o.getString("reason");
        return r;
    }
}
