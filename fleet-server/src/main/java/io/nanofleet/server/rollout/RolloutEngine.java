package io.nanofleet.server.rollout;

import io.nanofleet.protocols.DaemonThreads;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives rollouts, one step per tick, on the leader instance only. A wave: remember each device's
 * current model, assign the new one, wait until every device reports a successful install (LwM2M
 * result 1), watch health for the observation window, and compare with the same devices' health in
 * the window before the assignment ({@link HealthGate}). A failed install, a timeout or worse health
 * rolls the wave's devices back to their previous model and pauses the rollout. Every step is written
 * to the rollout's step list and to the audit log.
 */
public final class RolloutEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RolloutEngine.class);
    static final String ENGINE = "rollout-engine";

    private final RolloutStore store;
    private final FleetSignals signals;
    private final Assigner assigner;
    private final ModelKinds kinds;
    private final RolloutAudit audit;
    private final LeaderElection leader;
    private final LongSupplier clock;
    private ScheduledExecutorService ticker;

    /** The target kind ({@code anomaly-model}, {@code command-model}) of a published model, by name. */
    @FunctionalInterface
    public interface ModelKinds {
        /** Anomaly models unless told otherwise (the only kind before command models). */
        ModelKinds ANOMALY_ONLY = model -> "anomaly-model";

        String kindOf(String model) throws Exception;
    }

    /** An engine for anomaly models only (every rollout's model is taken to be one). */
    public RolloutEngine(RolloutStore store, FleetSignals signals, Assigner assigner, RolloutAudit audit,
                         LeaderElection leader, LongSupplier clock) {
        this(store, signals, assigner, ModelKinds.ANOMALY_ONLY, audit, leader, clock);
    }

    /**
     * @param kinds the kind of each rollout's model: a wave remembers each device's current model of that kind
     *              (the one a rollback re-assigns), so a command model's rollout never rolls back an anomaly model
     */
    public RolloutEngine(RolloutStore store, FleetSignals signals, Assigner assigner, ModelKinds kinds, RolloutAudit audit,
                         LeaderElection leader, LongSupplier clock) {
        this.store = store;
        this.signals = signals;
        this.assigner = assigner;
        this.kinds = kinds;
        this.audit = audit;
        this.leader = leader;
        this.clock = clock;
    }

    public RolloutEngine start(long tickMs) {
        ticker = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("nanofleet-rollouts"));
        ticker.scheduleWithFixedDelay(this::tickQuietly, tickMs, tickMs, TimeUnit.MILLISECONDS);
        return this;
    }

    private void tickQuietly() {
        try {
            tick();
        } catch (Exception e) {
            LOG.error("rollout step failed; retrying at the next tick: {}", e.toString());
        }
    }

    /** One pass over the active rollouts (public for tests that step by hand). */
    public void tick() throws Exception {
        if (!leader.isLeader()) {
            return;
        }
        for (Rollout r : store.active()) {
            step(r);
        }
    }

    /** Creates a rollout (any instance may); the leader starts it at its next tick. */
    public Rollout create(Rollout r, String who) throws Exception {
        long now = clock.getAsLong();
        store.insert(r, now);
        record(r, who, "CREATED", "model " + r.model() + ", " + r.waves().size() + " waves: " + waveSummary(r));
        return r;
    }

    /** Queues pause / resume / abort for the leader. False when no such rollout. */
    public boolean request(String id, String action, String who) throws Exception {
        return store.request(id, action, who);
    }

    private static String waveSummary(Rollout r) {
        List<String> s = new ArrayList<>();
        r.waves().forEach(w -> s.add(w.size + "=" + w.devices.size()));
        return String.join(", ", s);
    }

    private void step(Rollout r) throws Exception {
        long now = clock.getAsLong();
        Optional<RolloutStore.Request> req = store.takeRequest(r.id());
        if (req.isPresent()) {
            apply(r, req.get(), now);
        }
        if (r.state == Rollout.State.RUNNING) {
            advance(r, now);
        }
        store.save(r, now);
    }

    private void apply(Rollout r, RolloutStore.Request req, long now) throws Exception {
        switch (req.action()) {
            case "pause" -> {
                if (r.state == Rollout.State.RUNNING) {
                    r.state = Rollout.State.PAUSED;
                    r.reason = "paused by " + req.by();
                    record(r, req.by(), "PAUSED", "by operator");
                }
            }
            case "resume" -> {
                if (r.state == Rollout.State.PAUSED) {
                    Rollout.Wave w = r.waves().get(r.current);
                    if (w.state == Rollout.WaveState.FAILED || w.state == Rollout.WaveState.ROLLED_BACK) {
                        w.state = Rollout.WaveState.PENDING; // retry the wave that failed
                    }
                    r.state = Rollout.State.RUNNING;
                    r.reason = null;
                    record(r, req.by(), "RESUMED", "wave " + (r.current + 1));
                }
            }
            case "abort" -> {
                if (r.state == Rollout.State.RUNNING || r.state == Rollout.State.PAUSED) {
                    for (Rollout.Wave w : r.waves()) {
                        if (w.state != Rollout.WaveState.PENDING && w.state != Rollout.WaveState.ROLLED_BACK) {
                            rollBack(r, w, now);
                        }
                    }
                    r.state = Rollout.State.ABORTED;
                    r.reason = "aborted by " + req.by();
                    record(r, req.by(), "ABORTED", "devices rolled back to their previous model");
                }
            }
            default -> LOG.warn("ignoring unknown rollout request '{}' on {}", req.action(), r.id());
        }
    }

    private void advance(Rollout r, long now) throws Exception {
        Rollout.Wave w = r.waves().get(r.current);
        String label = "wave " + (r.current + 1) + "/" + r.waves().size() + " (" + w.size + ", " + w.devices.size() + " devices)";
        switch (w.state) {
            case PENDING -> {
                String kind = kinds.kindOf(r.model());
                w.previous.clear();
                for (String d : w.devices) {
                    w.previous.put(d, signals.currentModel(d, kind).orElse(null));
                }
                w.assignedMs = now;
                w.state = Rollout.WaveState.INSTALLING;
                int sent = 0;
                for (String d : w.devices) {
                    try {
                        assigner.assign(d, r.model());
                        sent++;
                    } catch (Exception e) {
                        record(r, ENGINE, "ASSIGN_FAILED", d + ": " + e.getMessage());
                    }
                }
                record(r, ENGINE, "WAVE_STARTED", label + ": assigned " + r.model() + " to " + sent + " devices");
            }
            case INSTALLING -> {
                List<String> failed = new ArrayList<>();
                int ok = 0;
                for (String d : w.devices) {
                    FleetSignals.InstallStatus s = signals.install(d, r.model(), w.assignedMs);
                    if (s == FleetSignals.InstallStatus.FAILED) {
                        failed.add(d + " (" + signals.installDetail(d, r.model()) + ")");
                    } else if (s == FleetSignals.InstallStatus.SUCCEEDED) {
                        ok++;
                    }
                }
                if (!failed.isEmpty()) {
                    fail(r, w, now, "INSTALL_FAILED", label + ": install failed on " + String.join(", ", failed));
                } else if (ok == w.devices.size()) {
                    w.installedMs = now;
                    w.state = Rollout.WaveState.OBSERVING;
                    record(r, ENGINE, "INSTALLED", label + ": all devices report success; observing health for "
                            + r.timing().observeMs() + " ms");
                } else if (now - w.assignedMs > r.timing().installTimeoutMs()) {
                    fail(r, w, now, "INSTALL_TIMEOUT", label + ": " + (w.devices.size() - ok) + " devices did not report a "
                            + "successful install within " + r.timing().installTimeoutMs() + " ms");
                }
            }
            case OBSERVING -> {
                if (now - w.installedMs < r.timing().observeMs()) {
                    return;
                }
                long baseline = r.timing().baselineMs();
                FleetSignals.Health before = FleetSignals.Health.NONE;
                FleetSignals.Health after = FleetSignals.Health.NONE;
                for (String d : w.devices) {
                    before = before.plus(signals.health(d, w.assignedMs - baseline, w.assignedMs));
                    after = after.plus(signals.health(d, w.installedMs, now));
                }
                w.before = health(before, w.devices.size(), baseline);
                w.after = health(after, w.devices.size(), now - w.installedMs);
                String verdict = r.gate().verdict(before, baseline, after, now - w.installedMs, w.devices.size());
                if (verdict != null) {
                    fail(r, w, now, "HEALTH_FAILED", label + ": " + verdict);
                    return;
                }
                w.state = Rollout.WaveState.PASSED;
                w.finishedMs = now;
                record(r, ENGINE, "WAVE_PASSED", label + ": before " + w.before.encode() + ", after " + w.after.encode());
                r.current++;
                if (r.current == r.waves().size()) {
                    r.current = r.waves().size() - 1;
                    r.state = Rollout.State.COMPLETED;
                    record(r, ENGINE, "COMPLETED", r.model() + " on every device of the rollout");
                }
            }
            default -> {
                // PASSED/FAILED/ROLLED_BACK waves are not current while the rollout runs
            }
        }
    }

    private static JsonObject health(FleetSignals.Health h, int devices, long windowMs) {
        return new JsonObject().put("anomalyRatePerDeviceMin", HealthGate.ratePerDeviceMinute(h, devices, windowMs))
                .put("meanInferenceUs", h.latencySamples() == 0 ? null : h.latencySumUs() / h.latencySamples())
                .put("restarts", h.restarts()).put("windowMs", windowMs);
    }

    private void fail(Rollout r, Rollout.Wave w, long now, String step, String why) throws Exception {
        w.state = Rollout.WaveState.FAILED;
        w.verdict = why;
        record(r, ENGINE, step, why);
        rollBack(r, w, now);
        r.state = Rollout.State.PAUSED;
        r.reason = why;
        record(r, ENGINE, "PAUSED", "automatic, after " + step);
    }

    private void rollBack(Rollout r, Rollout.Wave w, long now) throws Exception {
        List<String> done = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (String d : w.devices) {
            String prev = w.previous.get(d);
            if (prev == null || prev.equals(r.model())) {
                unknown.add(d);
                continue;
            }
            try {
                assigner.assign(d, prev);
                done.add(d + "->" + prev);
            } catch (Exception e) {
                record(r, ENGINE, "ROLLBACK_FAILED", d + ": " + e.getMessage());
            }
        }
        w.state = Rollout.WaveState.ROLLED_BACK;
        w.finishedMs = now;
        record(r, ENGINE, "ROLLED_BACK", done.size() + " devices re-assigned their previous model"
                + (unknown.isEmpty() ? "" : "; no previous model known for " + unknown));
    }

    private void record(Rollout r, String actor, String step, String detail) throws Exception {
        store.step(r.id(), clock.getAsLong(), actor, step, detail);
        audit.record(actor, "rollout." + step.toLowerCase(java.util.Locale.ROOT), r.id(), detail);
        LOG.info("rollout {}: {} {}", r.id(), step, detail);
    }

    @Override
    public void close() {
        if (ticker != null) {
            ticker.shutdownNow();
            try {
                ticker.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        leader.close();
    }
}
