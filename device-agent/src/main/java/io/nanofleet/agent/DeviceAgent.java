package io.nanofleet.agent;

import io.nanofleet.agent.command.CommandDispatcher;
import io.nanofleet.agent.mqtt.MqttLink;
import io.nanofleet.agent.sensor.SensorSource;
import io.nanofleet.agent.telemetry.SummaryWindow;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.DeviceId;
import io.nanofleet.protocols.PayloadException;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.Command;
import io.nanofleet.protocols.v1.CommandResult;
import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.TelemetryBatch;
import java.io.IOException;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * The device agent: samples a sensor, publishes periodic summaries, keeps a retained state with an
 * offline last will, and answers commands with result events. Many agents can share one scheduler
 * (the simulator runs thousands in one JVM), so nothing here owns threads unless it was built without one.
 */
public final class DeviceAgent implements AutoCloseable {
    public static final String VERSION = "0.1.0";

    private final String deviceId;
    private final String hardwareId;
    private final SensorSource sensor;
    private final long sampleIntervalMs;
    private final long telemetryIntervalMs;
    private final LongSupplier clock;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final MqttLink link;
    private final SummaryWindow window;
    private final double[] sample;
    private final CommandDispatcher commands;
    private final AtomicLong telemetrySequence = new AtomicLong();
    private final AtomicLong eventSequence = new AtomicLong();
    private final AtomicLong sensorErrors = new AtomicLong();
    private final AtomicLong rejectedPayloads = new AtomicLong();
    private final long bootTimeMs;
    private ScheduledFuture<?> samplingTask;
    private ScheduledFuture<?> telemetryTask;

    private DeviceAgent(Builder b) throws MqttException {
        this.deviceId = DeviceId.require(b.deviceId);
        this.hardwareId = b.hardwareId;
        this.sensor = Objects.requireNonNull(b.sensor, "sensor");
        this.sampleIntervalMs = b.sampleIntervalMs;
        this.telemetryIntervalMs = b.telemetryIntervalMs;
        this.clock = b.clock;
        this.ownsScheduler = b.scheduler == null;
        this.scheduler = ownsScheduler
                ? Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "agent-" + b.deviceId))
                : b.scheduler;
        this.link = new MqttLink(MqttLink.Settings.of(b.brokerUri, deviceId));
        this.window = new SummaryWindow(sensor.channels());
        this.sample = new double[sensor.channels().size()];
        this.bootTimeMs = clock.getAsLong();
        this.commands = new CommandDispatcher(clock)
                .register("ping", c -> CommandResult.newBuilder().setCommandId(c.getCommandId())
                        .setStatus(CommandResult.Status.OK).setMessage("pong")
                        .putOutput("uptime_ms", String.valueOf(clock.getAsLong() - bootTimeMs))
                        .putAllOutput(c.getArgumentsMap()).build());
    }

    public static Builder builder() {
        return new Builder();
    }

    public String deviceId() {
        return deviceId;
    }

    /** Connects, announces itself online and starts sampling; returns once connected. */
    public void start() throws MqttException {
        link.onMessage(this::onMessage);
        link.onConnect(reconnect -> {
            link.subscribe(Topics.cmd(deviceId), 1);
            link.publish(Topics.state(deviceId), Codecs.STATE.encode(state(DeviceState.Status.ONLINE)), 1, true);
        });
        link.connect(Topics.state(deviceId), Codecs.STATE.encode(state(DeviceState.Status.OFFLINE)));
        samplingTask = scheduler.scheduleAtFixedRate(this::sampleOnce, 0, sampleIntervalMs, TimeUnit.MILLISECONDS);
        telemetryTask = scheduler.scheduleAtFixedRate(this::publishTelemetry, telemetryIntervalMs, telemetryIntervalMs,
                TimeUnit.MILLISECONDS);
    }

    DeviceState state(DeviceState.Status status) {
        return DeviceState.newBuilder().setDeviceId(deviceId).setStatus(status).setTimestampMs(clock.getAsLong())
                .setAgentVersion(VERSION).setHardwareId(hardwareId).setBootTimeMs(bootTimeMs)
                .addAllChannels(sensor.channels()).build();
    }

    private void sampleOnce() {
        try {
            sensor.read(sample);
        } catch (IOException | RuntimeException e) {
            sensorErrors.incrementAndGet();
            return;
        }
        synchronized (window) {
            window.add(clock.getAsLong(), sample);
        }
    }

    private void publishTelemetry() {
        TelemetryBatch batch;
        synchronized (window) {
            batch = window.drain(deviceId, telemetrySequence.incrementAndGet());
        }
        if (batch != null) {
            link.publish(Topics.telemetry(deviceId), Codecs.TELEMETRY.encode(batch), 1, false);
        }
    }

    private void onMessage(String topic, MqttMessage message) {
        if (!topic.equals(Topics.cmd(deviceId))) {
            return;
        }
        Command command;
        try {
            command = Codecs.COMMAND.decode(message.getPayload());
        } catch (PayloadException e) {
            rejectedPayloads.incrementAndGet();
            return;
        }
        if (!command.getDeviceId().equals(deviceId)) {
            rejectedPayloads.incrementAndGet();
            return;
        }
        // Off the MQTT callback thread: a handler may take time, and Paho must keep reading.
        scheduler.execute(() -> {
            CommandResult result = commands.dispatch(command);
            publishEvent(Event.newBuilder().setCommandResult(result));
        });
    }

    private void publishEvent(Event.Builder event) {
        long seq = eventSequence.incrementAndGet();
        Event e = event.setDeviceId(deviceId).setEventId(deviceId + "-" + UUID.randomUUID()).setSequence(seq)
                .setTimestampMs(clock.getAsLong()).build();
        link.publish(Topics.events(deviceId), Codecs.EVENT.encode(e), 1, false);
    }

    public boolean isConnected() {
        return link.isConnected();
    }

    public long publishedCount() {
        return link.publishedCount();
    }

    public long telemetryBatchesSent() {
        return telemetrySequence.get();
    }

    public long rejectedPayloadCount() {
        return rejectedPayloads.get();
    }

    public long refusedCommandCount() {
        return commands.refusedCount();
    }

    /**
     * Simulates a power cut or network loss: the TCP connection drops without an MQTT DISCONNECT, so the
     * broker publishes this agent's last will (state OFFLINE). Sampling stops.
     */
    public void dropConnection() {
        stopTasks();
        link.dropConnection();
    }

    private void stopTasks() {
        if (samplingTask != null) {
            samplingTask.cancel(false);
        }
        if (telemetryTask != null) {
            telemetryTask.cancel(false);
        }
    }

    /** Clean shutdown: flushes the current window, announces OFFLINE (a clean disconnect sends no will). */
    @Override
    public void close() {
        stopTasks();
        if (link.isConnected()) {
            publishTelemetry();
            try {
                link.publishAndWait(Topics.state(deviceId), Codecs.STATE.encode(state(DeviceState.Status.OFFLINE)), 1, true, 2000);
            } catch (MqttException ignored) {
                // the will covers us if this did not get through
            }
        }
        link.close();
        sensor.close();
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
    }

    /** Builds an agent; only device id, broker and sensor are required. */
    public static final class Builder {
        private String deviceId;
        private String brokerUri;
        private String hardwareId = "generic";
        private SensorSource sensor;
        private long sampleIntervalMs = 1000;
        private long telemetryIntervalMs = 10_000;
        private LongSupplier clock = System::currentTimeMillis;
        private ScheduledExecutorService scheduler;

        public Builder deviceId(String deviceId) {
            this.deviceId = deviceId;
            return this;
        }

        /** e.g. {@code tcp://127.0.0.1:1883}. */
        public Builder broker(String brokerUri) {
            this.brokerUri = brokerUri;
            return this;
        }

        public Builder hardwareId(String hardwareId) {
            this.hardwareId = hardwareId;
            return this;
        }

        public Builder sensor(SensorSource sensor) {
            this.sensor = sensor;
            return this;
        }

        public Builder sampleIntervalMs(long ms) {
            if (ms <= 0) {
                throw new IllegalArgumentException("sample interval must be > 0 ms, got " + ms);
            }
            this.sampleIntervalMs = ms;
            return this;
        }

        public Builder telemetryIntervalMs(long ms) {
            if (ms <= 0) {
                throw new IllegalArgumentException("telemetry interval must be > 0 ms, got " + ms);
            }
            this.telemetryIntervalMs = ms;
            return this;
        }

        public Builder clock(LongSupplier clock) {
            this.clock = clock;
            return this;
        }

        /** Share a scheduler between agents (the simulator does); otherwise the agent owns one thread. */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        public DeviceAgent build() throws MqttException {
            Objects.requireNonNull(brokerUri, "broker");
            return new DeviceAgent(this);
        }
    }
}
