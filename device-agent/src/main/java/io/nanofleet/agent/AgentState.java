package io.nanofleet.agent;

import io.nanofleet.agent.command.CommandGuard;
import io.nanofleet.agent.pipeline.EdgePipeline;
import io.nanofleet.agent.queue.Outbox;
import io.nanofleet.agent.queue.OutboxWriter;
import io.nanofleet.agent.telemetry.TelemetryLoop;
import io.nanofleet.agent.transport.Forwarder;
import io.nanofleet.agent.transport.Uplink;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.ModelInfo;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What the agent tells the fleet about itself: the retained {@link DeviceState} (identity, running model and,
 * while online, the health counters of every part), published on connect and on its own timer; the OFFLINE
 * form is the last will.
 */
final class AgentState {
    private final String deviceId;
    private final String hardwareId;
    private final int restartCount;
    private final long bootTimeMs;
    private final LongSupplier clock;
    private final TelemetryLoop telemetry;
    private final Outbox outbox;
    private final OutboxWriter writer;
    private final Forwarder forwarder;
    private final Uplink uplink;
    private final CommandGuard guard;
    private final ScheduledExecutorService scheduler;
    private final long intervalMs;
    private final Map<String, String> attributes = new ConcurrentHashMap<>();
    private final AtomicLong published = new AtomicLong();
    private volatile Supplier<ModelInfo> commandModel;
    private volatile Supplier<Map<String, String>> moreCounters = Map::of;
    private volatile long firstConnectedMs = -1;
    private volatile boolean closed;
    private ScheduledFuture<?> timer;

    AgentState(String deviceId, String hardwareId, int restartCount, LongSupplier clock, TelemetryLoop telemetry,
               Outbox outbox, OutboxWriter writer, Forwarder forwarder, Uplink uplink, CommandGuard guard,
               ScheduledExecutorService scheduler, long intervalMs) {
        this.deviceId = deviceId;
        this.hardwareId = hardwareId;
        this.restartCount = restartCount;
        this.clock = clock;
        this.bootTimeMs = clock.getAsLong();
        this.telemetry = telemetry;
        this.outbox = outbox;
        this.writer = writer;
        this.forwarder = forwarder;
        this.uplink = uplink;
        this.guard = guard;
        this.scheduler = scheduler;
        this.intervalMs = intervalMs;
    }

    DeviceState message(DeviceState.Status status) {
        DeviceState.Builder s = DeviceState.newBuilder().setDeviceId(deviceId).setStatus(status).setTimestampMs(clock.getAsLong())
                .setAgentVersion(DeviceAgent.VERSION).setHardwareId(hardwareId).setBootTimeMs(bootTimeMs).setRestartCount(restartCount)
                .addAllChannels(telemetry.channels());
        EdgePipeline p = telemetry.detector();
        if (p != null && !p.modelSha256().isEmpty()) {
            // The rollout gate needs the model by its repository name (set by the model updater) to roll back to it.
            s.setAnomalyModel(ModelInfo.newBuilder()
                    .setName(attributes.getOrDefault("model.active", "")).setSha256(p.modelSha256()));
        }
        Supplier<ModelInfo> cm = commandModel;
        if (cm != null) {
            // Named once installed over the air (the rollout gate rolls back to that name); the shipped model has none.
            s.setCommandModel(cm.get());
        }
        if (status == DeviceState.Status.ONLINE) {
            s.putAllAttributes(counters());
            if (p != null && !Double.isNaN(p.inferenceMicros())) {
                s.putAttributes("inference_us", String.format(Locale.ROOT, "%.1f", p.inferenceMicros()));
            }
        }
        return s.build();
    }

    /** The last will, and what a clean close announces. */
    byte[] offline() {
        return Codecs.STATE.encode(message(DeviceState.Status.OFFLINE));
    }

    /** Health counters, published in the retained state and printed by {@code status}. */
    Map<String, String> counters() {
        Map<String, String> m = new TreeMap<>();
        m.put("queue.pending", Long.toString(outbox.pending()));
        m.put("queue.dropped_summaries", Long.toString(outbox.droppedSummaries()));
        m.put("queue.dropped_events", Long.toString(outbox.droppedEvents()));
        m.put("queue.errors", Long.toString(writer.errors()));
        m.put("uplink.delivered", Long.toString(forwarder.delivered()));
        m.put("uplink.failed_attempts", Long.toString(uplink.failedAttempts()));
        m.put("sensor.samples", Long.toString(telemetry.samples()));
        m.put("sensor.errors", Long.toString(telemetry.sensorErrors()));
        guard.refusalCounts().forEach((k, v) -> m.put("commands.refused." + k.name().toLowerCase(Locale.ROOT), Long.toString(v)));
        EdgePipeline p = telemetry.detector();
        if (p != null) {
            m.put("detector.phase", p.phase().name());
            m.put("detector.events", Long.toString(p.eventsEmitted()));
            if (!p.modelSha256().isEmpty()) {
                m.put("detector.model_sha256", p.modelSha256());
            }
            if (!p.disabledReason().isEmpty()) {
                m.put("detector.disabled", p.disabledReason());
            }
        }
        if (telemetry.mutedAnomalies() > 0) {
            m.put("detector.muted_events", Long.toString(telemetry.mutedAnomalies()));
        }
        m.putAll(moreCounters.get());
        m.putAll(attributes);
        return m;
    }

    /** Where the state's {@code command_model} comes from (the agent's command model holder). */
    void commandModel(Supplier<ModelInfo> info) {
        this.commandModel = info;
    }

    /** Counters of another part (the ask service), published with these. */
    void counters(Supplier<Map<String, String>> more) {
        this.moreCounters = more;
    }

    /** Adds an attribute to the published state (e.g. the running model). */
    void attribute(String key, String value) {
        attributes.put(key, value);
    }

    /** Publishes the ONLINE state as retained, if connected and not closed. */
    void publish() {
        if (closed || !uplink.isConnected()) {
            return;
        }
        published.incrementAndGet();
        uplink.publish(Topics.state(deviceId), Codecs.STATE.encode(message(DeviceState.Status.ONLINE)), 1, true);
    }

    /** The link came up: the fleet hears the state at once. */
    void connected() {
        if (firstConnectedMs < 0) {
            firstConnectedMs = clock.getAsLong();
        }
        publish();
    }

    /** Publishes on the state timer from now on (besides every connect). */
    synchronized void start() {
        timer = scheduler.scheduleAtFixedRate(this::publish, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    synchronized void stop() {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    /** From now on nothing is published (the clean close sends OFFLINE itself). */
    void close() {
        closed = true;
    }

    long bootTimeMs() {
        return bootTimeMs;
    }

    long firstConnectedMs() {
        return firstConnectedMs;
    }

    /** Retained states sent. */
    long published() {
        return published.get();
    }
}
