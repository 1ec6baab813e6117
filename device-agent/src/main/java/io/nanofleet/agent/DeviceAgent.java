package io.nanofleet.agent;

import io.nanofleet.agent.command.CommandDispatcher;
import io.nanofleet.agent.command.CommandGuard;
import io.nanofleet.agent.command.CommandLog;
import io.nanofleet.agent.pipeline.EdgePipeline;
import io.nanofleet.agent.queue.DiskQueue;
import io.nanofleet.agent.queue.MemoryOutbox;
import io.nanofleet.agent.queue.Outbox;
import io.nanofleet.agent.sensor.SensorSource;
import io.nanofleet.agent.telemetry.SummaryWindow;
import io.nanofleet.agent.transport.Forwarder;
import io.nanofleet.agent.transport.MqttUplink;
import io.nanofleet.agent.transport.Uplink;
import io.nanofleet.anomaly.detect.DetectorConfig;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.DeviceId;
import io.nanofleet.protocols.PayloadException;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.AnomalyEvent;
import io.nanofleet.protocols.v1.ChannelSummary;
import io.nanofleet.protocols.v1.Command;
import io.nanofleet.protocols.v1.CommandResult;
import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.InstallProgress;
import io.nanofleet.protocols.v1.ModelInfo;
import io.nanofleet.protocols.v1.TelemetryBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLContext;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * The device agent: samples a sensor, feeds the anomaly pipeline, queues summaries and events in a
 * store-and-forward {@link Outbox} that a {@link Forwarder} drains into the {@link Uplink}, keeps a retained
 * state (with its counters) and an offline last will, and runs commands that pass the {@link CommandGuard}.
 * Many agents can share one scheduler (the simulator runs thousands in one JVM), so nothing here owns threads
 * unless it was built without one.
 */
public final class DeviceAgent implements AutoCloseable {
    public static final String VERSION = "0.2.0";

    private final String deviceId;
    private final String hardwareId;
    private final SensorSource sensor;
    private volatile long sampleIntervalMs;
    private volatile long telemetryIntervalMs;
    private final long stateIntervalMs;
    private final LongSupplier clock;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final Outbox outbox;
    private final Uplink uplink;
    private final Forwarder forwarder;
    private final SummaryWindow window;
    private final double[] sample;
    private volatile EdgePipeline pipeline;
    private volatile SampleListener sampleListener;
    private final CommandGuard guard;
    private final CommandLog commandLog;
    private final CommandDispatcher commands;
    private final long startTimeoutMs;
    private final DetectorConfig detectorConfig;
    private final int eventContextRows;
    private final Map<String, String> extraAttributes = new ConcurrentHashMap<>();
    private final AtomicLong sensorErrors = new AtomicLong();
    private final AtomicLong samples = new AtomicLong();
    private final AtomicLong queueErrors = new AtomicLong();
    private final AtomicLong statesPublished = new AtomicLong();
    private final long bootTimeMs;
    private final int restartCount;
    private final long maxRawMs;
    private volatile long rawUntilMs;
    private volatile long firstConnectedMs = -1;
    private volatile BiConsumer<String, byte[]> otaListener = (t, p) -> {};
    private ScheduledFuture<?> samplingTask;
    private ScheduledFuture<?> telemetryTask;
    private ScheduledFuture<?> stateTask;
    private volatile boolean closed;

    DeviceAgent(DeviceAgentBuilder b) throws IOException, MqttException {
        this.deviceId = DeviceId.require(b.deviceId);
        this.hardwareId = b.hardwareId;
        this.sensor = Objects.requireNonNull(b.sensor, "sensor");
        this.sampleIntervalMs = b.sampleIntervalMs;
        this.telemetryIntervalMs = b.telemetryIntervalMs;
        this.stateIntervalMs = b.stateIntervalMs;
        this.clock = b.clock;
        this.startTimeoutMs = b.startTimeoutMs;
        this.detectorConfig = b.detectorConfig;
        this.eventContextRows = b.eventContextRows;
        this.maxRawMs = b.maxRawSeconds * 1000;
        this.ownsScheduler = b.scheduler == null;
        this.scheduler = ownsScheduler
                ? Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "agent-" + b.deviceId);
                    t.setDaemon(true);
                    return t;
                })
                : b.scheduler;
        Path queueDir = b.stateDir == null ? null : b.stateDir.resolve("queue");
        this.outbox = queueDir == null ? new MemoryOutbox(b.memoryQueueMessages)
                : new DiskQueue(queueDir, b.queueMaxBytes, b.queueSegmentBytes, b.fsync);
        this.commandLog = new CommandLog(b.stateDir, 1024);
        this.guard = new CommandGuard(deviceId, b.commandKey, b.requireSignedCommands, commandLog, clock);
        this.window = new SummaryWindow(sensor.channels());
        this.sample = new double[sensor.channels().size()];
        this.bootTimeMs = clock.getAsLong();
        this.restartCount = RestartCounter.next(b.stateDir);
        this.pipeline = b.detector
                ? new EdgePipeline(sensor.channels(), b.detectorConfig, b.eventContextRows, this::onAnomaly) : null;
        this.uplink = b.uplink != null ? b.uplink : new MqttUplink(new MqttUplink.Settings(b.brokerUri, deviceId,
                b.sslContext, b.keepAliveSeconds, b.sessionExpirySeconds, 10_000,
                List.of(Topics.cmd(deviceId), Topics.ota(deviceId)), Topics.state(deviceId),
                b.reconnectMinMs, b.reconnectMaxMs), scheduler);
        this.forwarder = new Forwarder(outbox, uplink, scheduler, 10);
        this.commands = new CommandDispatcher(clock);
        AgentCommands.register(this, commands, b.restartHook);
    }

    public static DeviceAgentBuilder builder() {
        return new DeviceAgentBuilder();
    }

    public String deviceId() {
        return deviceId;
    }

    /**
     * Starts sampling and connecting. Waits up to the start timeout (builder) for the first connection, but
     * runs on without one: everything is queued until the broker is reachable.
     */
    public void start() {
        uplink.start(new Uplink.Listener() {
            @Override
            public void connected(boolean reconnect) {
                if (firstConnectedMs < 0) {
                    firstConnectedMs = clock.getAsLong();
                }
                publishState();
                forwarder.restart();
            }

            @Override
            public void disconnected(String reason) {}

            @Override
            public void message(String topic, byte[] payload) {
                onMessage(topic, payload);
            }

            @Override
            public byte[] lastWill() {
                return Codecs.STATE.encode(state(DeviceState.Status.OFFLINE));
            }
        });
        samplingTask = scheduler.scheduleAtFixedRate(this::sampleOnce, 0, sampleIntervalMs, TimeUnit.MILLISECONDS);
        telemetryTask = scheduler.scheduleAtFixedRate(this::publishTelemetry, telemetryIntervalMs, telemetryIntervalMs,
                TimeUnit.MILLISECONDS);
        stateTask = scheduler.scheduleAtFixedRate(this::publishState, stateIntervalMs, stateIntervalMs, TimeUnit.MILLISECONDS);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(startTimeoutMs);
        while (!uplink.isConnected() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    DeviceState state(DeviceState.Status status) {
        DeviceState.Builder s = DeviceState.newBuilder().setDeviceId(deviceId).setStatus(status).setTimestampMs(clock.getAsLong())
                .setAgentVersion(VERSION).setHardwareId(hardwareId).setBootTimeMs(bootTimeMs).setRestartCount(restartCount)
                .addAllChannels(sensor.channels());
        EdgePipeline p = pipeline;
        if (p != null && !p.modelSha256().isEmpty()) {
            // The rollout gate needs the model by its repository name (set by the model updater) to roll back to it.
            s.setAnomalyModel(ModelInfo.newBuilder()
                    .setName(extraAttributes.getOrDefault("model.active", "")).setSha256(p.modelSha256()));
        }
        if (status == DeviceState.Status.ONLINE) {
            s.putAllAttributes(counters());
            if (p != null && !Double.isNaN(p.inferenceMicros())) {
                s.putAttributes("inference_us", String.format(java.util.Locale.ROOT, "%.1f", p.inferenceMicros()));
            }
        }
        return s.build();
    }

    /** Health counters, published in the retained state and printed by {@code status}. */
    public Map<String, String> counters() {
        Map<String, String> m = new java.util.TreeMap<>();
        m.put("queue.pending", Long.toString(outbox.pending()));
        m.put("queue.dropped_summaries", Long.toString(outbox.droppedSummaries()));
        m.put("queue.dropped_events", Long.toString(outbox.droppedEvents()));
        m.put("queue.errors", Long.toString(queueErrors.get()));
        m.put("uplink.delivered", Long.toString(forwarder.delivered()));
        m.put("uplink.failed_attempts", Long.toString(uplink.failedAttempts()));
        m.put("sensor.samples", Long.toString(samples.get()));
        m.put("sensor.errors", Long.toString(sensorErrors.get()));
        guard.refusalCounts().forEach((k, v) -> m.put("commands.refused." + k.name().toLowerCase(java.util.Locale.ROOT), Long.toString(v)));
        EdgePipeline p = pipeline;
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
        m.putAll(extraAttributes);
        return m;
    }

    private void publishState() {
        if (closed || !uplink.isConnected()) {
            return;
        }
        statesPublished.incrementAndGet();
        uplink.publish(Topics.state(deviceId), Codecs.STATE.encode(state(DeviceState.Status.ONLINE)), 1, true);
    }

    private void sampleOnce() {
        try {
            sensor.read(sample);
        } catch (IOException | RuntimeException e) {
            sensorErrors.incrementAndGet();
            return;
        }
        long now = clock.getAsLong();
        samples.incrementAndGet();
        synchronized (window) {
            window.add(now, sample);
        }
        EdgePipeline p = pipeline;
        if (p != null) {
            synchronized (p) {
                p.accept(now, sample);
            }
        }
        SampleListener l = sampleListener;
        if (l != null) {
            l.sample(now, sample);
        }
        if (now < rawUntilMs) {
            enqueueRaw(now);
        }
    }

    private void enqueueRaw(long now) {
        TelemetryBatch.Builder b = TelemetryBatch.newBuilder().setDeviceId(deviceId).setWindowStartMs(now).setWindowEndMs(now);
        for (int c = 0; c < sample.length; c++) {
            double v = sample[c];
            b.addChannels(ChannelSummary.newBuilder().setChannel(sensor.channels().get(c)).setCount(1)
                    .setMin(v).setMax(v).setMean(v).setLast(v));
        }
        enqueue(Outbox.Kind.RAW, Topics.telemetry(deviceId), seq -> Codecs.TELEMETRY.encode(b.setSequence(seq).build()));
    }

    private void publishTelemetry() {
        synchronized (window) {
            if (window.count() == 0) {
                return;
            }
            enqueue(Outbox.Kind.SUMMARY, Topics.telemetry(deviceId),
                    seq -> Codecs.TELEMETRY.encode(window.drain(deviceId, seq)));
        }
    }

    private void onAnomaly(AnomalyEvent a) {
        publishEvent(Event.newBuilder().setAnomaly(a));
    }

    void publishEvent(Event.Builder event) {
        String id = deviceId + "-" + UUID.randomUUID();
        long ts = clock.getAsLong();
        enqueue(Outbox.Kind.EVENT, Topics.events(deviceId), seq -> Codecs.EVENT.encode(
                event.setDeviceId(deviceId).setEventId(id).setSequence(seq).setTimestampMs(ts).build()));
    }

    /** Publishes an install-progress event (used by model updates). */
    public void publishInstallProgress(InstallProgress progress) {
        publishEvent(Event.newBuilder().setInstallProgress(progress));
    }

    private void enqueue(Outbox.Kind kind, String topic, java.util.function.LongFunction<byte[]> payload) {
        try {
            outbox.append(kind, topic, payload);
        } catch (IOException e) {
            queueErrors.incrementAndGet();
            return;
        }
        forwarder.wake();
    }

    private void onMessage(String topic, byte[] payload) {
        if (topic.equals(Topics.ota(deviceId))) {
            otaListener.accept(topic, payload);
            return;
        }
        if (!topic.equals(Topics.cmd(deviceId))) {
            return;
        }
        Command command;
        try {
            command = Codecs.COMMAND.decode(payload);
        } catch (PayloadException e) {
            guard.malformed();
            return;
        }
        // Off the MQTT callback thread: a handler may take time, and Paho must keep reading.
        scheduler.execute(() -> {
            CommandResult refusal = guard.check(command);
            if (refusal == CommandGuard.NOT_OURS) {
                return;
            }
            CommandResult result = refusal != null ? refusal : commands.dispatch(command);
            publishEvent(Event.newBuilder().setCommandResult(result));
            if (result.getOutputMap().containsKey("restart")) {
                scheduler.schedule(this::restartNow, 500, TimeUnit.MILLISECONDS);
            }
        });
    }

    private Runnable restartHook;

    void restartHook(Runnable hook) {
        this.restartHook = hook;
    }

    private void restartNow() {
        if (restartHook != null) {
            restartHook.run();
        }
    }

    /** Sees every sample after the pipeline (on the sampling thread: keep it short). */
    public interface SampleListener {
        void sample(long timestampMs, double[] values);
    }

    public void onSample(SampleListener listener) {
        this.sampleListener = listener;
    }

    /** The channel names of this agent's sensor. */
    public List<String> channels() {
        return sensor.channels();
    }

    /** The running detector pipeline (null when the detector is off). */
    public EdgePipeline detector() {
        return pipeline;
    }

    /** Makes {@code next} the running pipeline (a shadow that proved healthy); its events are published from now on. */
    public void promote(EdgePipeline next) {
        next.events(this::onAnomaly);
        this.pipeline = next;
    }

    /** A pipeline wired like the running one but with its events going to {@code sink} (for a shadow run). */
    public EdgePipeline newShadowPipeline(java.util.function.Consumer<AnomalyEvent> sink) {
        return new EdgePipeline(sensor.channels(), detectorConfig, eventContextRows, sink);
    }

    /** Listener for update assignments arriving on {@code nf/v1/d/{id}/ota}. */
    public void onOta(BiConsumer<String, byte[]> listener) {
        this.otaListener = listener;
    }

    // ---- used by AgentCommands ----

    EdgePipeline pipeline() {
        return pipeline;
    }

    SensorSource sensor() {
        return sensor;
    }

    Outbox outbox() {
        return outbox;
    }

    Uplink uplink() {
        return uplink;
    }

    long maxRawMs() {
        return maxRawMs;
    }

    long now() {
        return clock.getAsLong();
    }

    void streamRawUntil(long untilMs) {
        this.rawUntilMs = untilMs;
    }

    long rawUntilMs() {
        return rawUntilMs;
    }

    long bootTimeMs() {
        return bootTimeMs;
    }

    synchronized void sampleInterval(long ms) {
        this.sampleIntervalMs = ms;
        if (samplingTask != null && !closed) {
            samplingTask.cancel(false);
            samplingTask = scheduler.scheduleAtFixedRate(this::sampleOnce, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    synchronized void telemetryInterval(long ms) {
        this.telemetryIntervalMs = ms;
        if (telemetryTask != null && !closed) {
            telemetryTask.cancel(false);
            telemetryTask = scheduler.scheduleAtFixedRate(this::publishTelemetry, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    /** Adds an attribute to the published state (e.g. the running model). */
    public void attribute(String key, String value) {
        extraAttributes.put(key, value);
    }

    // ---- figures ----

    public boolean isConnected() {
        return uplink.isConnected();
    }

    /** Messages the broker acknowledged (summaries, events, raw samples), plus retained states sent. */
    public long publishedCount() {
        return forwarder.delivered() + statesPublished.get();
    }

    public long telemetryBatchesSent() {
        return forwarder.delivered();
    }

    public long rejectedPayloadCount() {
        return guard.refused(CommandGuard.Refusal.MALFORMED) + guard.refused(CommandGuard.Refusal.OTHER_DEVICE);
    }

    public long refusedCommandCount() {
        return guard.refusedTotal() + commands.refusedCount();
    }

    public CommandGuard commandGuard() {
        return guard;
    }

    /** Index of the newest queued message: every summary and event carries one, 1, 2, 3... per device. */
    public long lastQueuedIndex() {
        return outbox.lastIndex();
    }

    public long pendingMessages() {
        return outbox.pending();
    }

    public long sensorErrorCount() {
        return sensorErrors.get();
    }

    public long sampleCount() {
        return samples.get();
    }

    /** Wall-clock ms of the first successful connection, or -1. */
    public long firstConnectedMs() {
        return firstConnectedMs;
    }

    /**
     * Simulates a power cut or network loss: the connection drops without an MQTT DISCONNECT, so the broker
     * publishes this agent's last will (state OFFLINE). Sampling stops; the agent does not reconnect.
     */
    public void dropConnection() {
        stopTasks();
        uplink.dropConnection();
    }

    private synchronized void stopTasks() {
        for (ScheduledFuture<?> f : new ScheduledFuture<?>[] {samplingTask, telemetryTask, stateTask}) {
            if (f != null) {
                f.cancel(false);
            }
        }
    }

    /**
     * Clean shutdown: stops sampling, queues the current window, gives the forwarder a moment to deliver,
     * announces OFFLINE (a clean disconnect sends no will) and forces the queue to disk. Whatever was not
     * delivered is sent after the next start.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        stopTasks();
        publishTelemetry();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (uplink.isConnected() && outbox.pending() > 0 && System.nanoTime() < deadline) {
            forwarder.wake();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        closed = true;
        if (uplink instanceof MqttUplink) {
            ((MqttUplink) uplink).closeWith(Topics.state(deviceId), Codecs.STATE.encode(state(DeviceState.Status.OFFLINE)), 2000);
        } else {
            uplink.close();
        }
        try {
            outbox.close();
            commandLog.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not flush the queue to disk", e);
        } finally {
            sensor.close();
            if (ownsScheduler) {
                scheduler.shutdownNow();
            }
        }
    }
}
