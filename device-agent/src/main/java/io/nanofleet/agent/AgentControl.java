package io.nanofleet.agent;

import io.nanofleet.agent.command.CommandTarget;
import io.nanofleet.agent.pipeline.EdgePipeline;
import io.nanofleet.agent.queue.Outbox;
import io.nanofleet.agent.telemetry.TelemetryLoop;
import io.nanofleet.agent.transport.Uplink;
import io.nanofleet.agent.telemetry.AnomalyLog;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** The agent's parts as the fleet's commands see them. */
final class AgentControl implements CommandTarget {
    private final LongSupplier clock;
    private final AgentState state;
    private final TelemetryLoop telemetry;
    private final Uplink uplink;
    private final Outbox outbox;
    private final long maxRawMs;
    /** How long {@link #restartSoon} waits, so the answer gets out first (the same as for the fleet's command). */
    static final long RESTART_DELAY_MS = 500;

    private final Runnable restartHook;
    private final ScheduledExecutorService scheduler;

    /** @param restartHook what a restart does; null when the agent cannot restart itself */
    AgentControl(LongSupplier clock, AgentState state, TelemetryLoop telemetry, Uplink uplink, Outbox outbox,
                 long maxRawMs, Runnable restartHook, ScheduledExecutorService scheduler) {
        this.clock = clock;
        this.state = state;
        this.telemetry = telemetry;
        this.uplink = uplink;
        this.outbox = outbox;
        this.maxRawMs = maxRawMs;
        this.restartHook = restartHook;
        this.scheduler = scheduler;
    }

    @Override
    public long now() {
        return clock.getAsLong();
    }

    @Override
    public long bootTimeMs() {
        return state.bootTimeMs();
    }

    @Override
    public void streamRawUntil(long untilMs) {
        telemetry.streamRawUntil(untilMs);
    }

    @Override
    public long maxRawMs() {
        return maxRawMs;
    }

    @Override
    public void sampleIntervalMs(long ms) {
        telemetry.sampleIntervalMs(ms);
    }

    @Override
    public void telemetryIntervalMs(long ms) {
        telemetry.telemetryIntervalMs(ms);
    }

    @Override
    public boolean recalibrate() {
        EdgePipeline p = telemetry.detector();
        if (p == null || p.phase() == EdgePipeline.Phase.DISABLED) {
            return false;
        }
        synchronized (p) {
            p.recalibrate();
        }
        return true;
    }

    @Override
    public void thresholdFactor(double factor) {
        EdgePipeline p = telemetry.detector();
        if (p != null) {
            synchronized (p) {
                p.thresholdFactor(factor);
                p.recalibrate();
            }
        }
    }

    @Override
    public int probeSensor() throws IOException {
        telemetry.probe();
        return telemetry.channels().size();
    }

    @Override
    public boolean connected() {
        return uplink.isConnected();
    }

    @Override
    public long pendingMessages() {
        return outbox.pending();
    }

    @Override
    public String detectorPhase() {
        EdgePipeline p = telemetry.detector();
        return p == null ? "off" : p.phase().name().toLowerCase(Locale.ROOT);
    }

    @Override
    public boolean canRestart() {
        return restartHook != null;
    }

    @Override
    public void restartSoon() {
        if (restartHook != null) {
            scheduler.schedule(restartHook, RESTART_DELAY_MS, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void muteAlarmsUntil(long untilMs) {
        telemetry.muteAlarmsUntil(untilMs);
        state.attribute("alarms.muted_until_ms", Long.toString(untilMs));
    }

    @Override
    public long alarmsMutedUntilMs() {
        return telemetry.alarmsMutedUntilMs();
    }

    @Override
    public List<AnomalyLog.Entry> lastAnomalies(int max) {
        return telemetry.anomalyLog().newest(max);
    }
}
