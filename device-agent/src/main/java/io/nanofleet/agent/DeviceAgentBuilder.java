package io.nanofleet.agent;

import io.nanofleet.protocols.DaemonThreads;
import io.nanofleet.agent.ask.AskOptions;
import io.nanofleet.agent.ask.AskService;
import io.nanofleet.agent.ask.OperatorSocket;
import io.nanofleet.agent.ask.PendingQueries;
import io.nanofleet.agent.command.CommandDispatcher;
import io.nanofleet.agent.command.CommandGuard;
import io.nanofleet.agent.command.CommandLog;
import io.nanofleet.agent.ota.CommandModelHolder;
import io.nanofleet.agent.ota.CommandProbe;
import io.nanofleet.agent.ota.ModelHost;
import io.nanofleet.agent.ota.ModelUpdater;
import io.nanofleet.agent.ota.UpdateChannel;
import io.nanofleet.agent.pipeline.EdgePipeline;
import io.nanofleet.agent.queue.DiskQueue;
import io.nanofleet.agent.queue.MemoryOutbox;
import io.nanofleet.agent.queue.Outbox;
import io.nanofleet.agent.queue.OutboxWriter;
import io.nanofleet.agent.sensor.SensorSource;
import io.nanofleet.agent.telemetry.TelemetryLoop;
import io.nanofleet.agent.transport.Forwarder;
import io.nanofleet.agent.transport.MqttUplink;
import io.nanofleet.agent.transport.Uplink;
import io.nanofleet.anomaly.detect.DetectorConfig;
import io.nanofleet.anomaly.model.DetectorModelFile;
import io.nanofleet.intents.model.CommandModel;
import io.nanofleet.protocols.DeviceId;
import io.nanofleet.protocols.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLContext;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * Builds an agent from its parts; only device id, broker (or uplink) and sensor are required, every other
 * part has a default: an in-memory queue and command log without a state directory, an MQTT uplink without
 * {@link #uplink}, the agent's own scheduler thread without {@link #scheduler}, the on-device detector (or
 * {@link #detectorModel}), the shipped command model (or {@link #commandModel}), no model updates without
 * {@link #updates}.
 */
public final class DeviceAgentBuilder {
    /** How long one MQTT connection attempt (and the subscription after it) may take. */
    static final long MQTT_CONNECT_TIMEOUT_MS = 10_000;
    /** Messages the forwarder keeps unacknowledged at once. */
    static final int FORWARDER_WINDOW = 10;
    /** Command ids remembered (and kept in {@code commands.log}) to refuse replays. */
    static final int COMMAND_LOG_IDS = 1024;

    String deviceId;
    String brokerUri;
    String hardwareId = "generic";
    SensorSource sensor;
    long sampleIntervalMs = 1000;
    long telemetryIntervalMs = 10_000;
    long stateIntervalMs = 60_000;
    LongSupplier clock = System::currentTimeMillis;
    ScheduledExecutorService scheduler;
    Path stateDir;
    long queueMaxBytes = 16L << 20;
    long queueSegmentBytes = 256L << 10;
    boolean fsync = true;
    int memoryQueueMessages = 10_000;
    SSLContext sslContext;
    PublicKey commandKey;
    boolean requireSignedCommands;
    boolean detector = true;
    DetectorConfig detectorConfig = DetectorConfig.DEFAULT;
    int eventContextRows = 32;
    long maxRawSeconds = 600;
    int keepAliveSeconds = 30;
    long sessionExpirySeconds = 86_400;
    long reconnectMinMs = 1000;
    long reconnectMaxMs = 60_000;
    long startTimeoutMs = 10_000;
    Uplink uplink;
    Runnable restartHook;
    DetectorModelFile.Loaded detectorModel;
    String detectorModelSha256;
    UpdateChannel updates;
    long healthSamples;
    ExecutorService updateWorker;
    String updatesDisabled;
    CommandModel commandModel;
    String commandModelSha256;
    double commandProbeFloor = CommandProbe.DEFAULT_FLOOR;
    AskOptions ask;

    public DeviceAgentBuilder deviceId(String deviceId) {
        this.deviceId = deviceId;
        return this;
    }

    /** e.g. {@code tcp://127.0.0.1:1883}, {@code mqtt://...} or {@code mqtts://...} (TLS: set {@link #tls}). */
    public DeviceAgentBuilder broker(String brokerUri) {
        this.brokerUri = brokerUri;
        return this;
    }

    public DeviceAgentBuilder hardwareId(String hardwareId) {
        this.hardwareId = hardwareId;
        return this;
    }

    public DeviceAgentBuilder sensor(SensorSource sensor) {
        this.sensor = sensor;
        return this;
    }

    /** The channels of the sensor given so far (a configured model must match them). */
    public List<String> sensorChannels() {
        return Objects.requireNonNull(sensor, "sensor").channels();
    }

    public DeviceAgentBuilder sampleIntervalMs(long ms) {
        this.sampleIntervalMs = positive("sample interval", ms);
        return this;
    }

    public DeviceAgentBuilder telemetryIntervalMs(long ms) {
        this.telemetryIntervalMs = positive("telemetry interval", ms);
        return this;
    }

    public DeviceAgentBuilder stateIntervalMs(long ms) {
        this.stateIntervalMs = positive("state interval", ms);
        return this;
    }

    public DeviceAgentBuilder clock(LongSupplier clock) {
        this.clock = clock;
        return this;
    }

    /** Share a scheduler between agents (the simulator does); otherwise the agent owns one thread. */
    public DeviceAgentBuilder scheduler(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
        return this;
    }

    /** Where the disk queue and command log live; without it both are in memory (simulated agents). */
    public DeviceAgentBuilder stateDir(Path dir) {
        this.stateDir = dir;
        return this;
    }

    public DeviceAgentBuilder queue(long maxBytes, long segmentBytes, boolean fsync) {
        this.queueMaxBytes = maxBytes;
        this.queueSegmentBytes = segmentBytes;
        this.fsync = fsync;
        return this;
    }

    /** Bound of the in-memory queue (agents without a state directory). */
    public DeviceAgentBuilder memoryQueueMessages(int n) {
        this.memoryQueueMessages = (int) positive("memory queue", n);
        return this;
    }

    /** TLS with the device certificate (from {@code Credentials.sslContext()}). */
    public DeviceAgentBuilder tls(SSLContext context) {
        this.sslContext = context;
        return this;
    }

    /** The server's command key: every command must then carry its valid signature. */
    public DeviceAgentBuilder commandKey(PublicKey key) {
        this.commandKey = key;
        this.requireSignedCommands = key != null;
        return this;
    }

    public DeviceAgentBuilder detector(boolean enabled) {
        this.detector = enabled;
        return this;
    }

    public DeviceAgentBuilder detectorConfig(DetectorConfig config) {
        this.detectorConfig = config;
        return this;
    }

    public DeviceAgentBuilder eventContextRows(int rows) {
        this.eventContextRows = (int) positive("event context", rows);
        return this;
    }

    public DeviceAgentBuilder maxRawSeconds(long s) {
        this.maxRawSeconds = positive("max raw seconds", s);
        return this;
    }

    public DeviceAgentBuilder mqttSession(int keepAliveSeconds, long sessionExpirySeconds) {
        this.keepAliveSeconds = keepAliveSeconds;
        this.sessionExpirySeconds = sessionExpirySeconds;
        return this;
    }

    public DeviceAgentBuilder reconnect(long minMs, long maxMs) {
        this.reconnectMinMs = minMs;
        this.reconnectMaxMs = maxMs;
        return this;
    }

    /** How long {@link #start} waits for the first connection (0: not at all). */
    public DeviceAgentBuilder startTimeoutMs(long ms) {
        this.startTimeoutMs = ms;
        return this;
    }

    /** A different transport (e.g. CoAP); then {@link #broker} is not needed. */
    public DeviceAgentBuilder uplink(Uplink uplink) {
        this.uplink = uplink;
        return this;
    }

    /** What the {@code restart} command does (the CLI exits so systemd restarts it); none = refused. */
    public DeviceAgentBuilder restartHook(Runnable hook) {
        this.restartHook = hook;
        return this;
    }

    /**
     * The configured fleet model ({@code detector.model}) for the detector, instead of training one on the device.
     * An installed OTA model, if any, is loaded after it and wins.
     */
    public DeviceAgentBuilder detectorModel(DetectorModelFile.Loaded model, String sha256) {
        this.detectorModel = model;
        this.detectorModelSha256 = sha256;
        return this;
    }

    /**
     * A configured command model instead of the shipped one ({@link CommandModel#bundled()}); an installed OTA command
     * model, if any, is loaded after it and wins.
     */
    public DeviceAgentBuilder commandModel(CommandModel model, String sha256) {
        this.commandModel = Objects.requireNonNull(model, "model");
        this.commandModelSha256 = Objects.requireNonNull(sha256, "sha256");
        return this;
    }

    /**
     * The fraction of the probe set's in-scope commands a new command model must answer right before it is
     * committed ({@link CommandProbe}; default {@value CommandProbe#DEFAULT_FLOOR}).
     */
    public DeviceAgentBuilder commandProbeFloor(double floor) {
        if (!(floor >= 0 && floor <= 1)) {
            throw new IllegalArgumentException("command probe floor must be in [0, 1], got " + floor);
        }
        this.commandProbeFloor = floor;
        return this;
    }

    /**
     * Model updates over {@code channel}: {@link #build} attaches a {@link ModelUpdater} (which loads the active
     * slots' models, after {@link #detectorModel} and {@link #commandModel}) judging each new anomaly model after
     * {@code healthSamples} scored samples in shadow, and each new command model on the {@link CommandProbe}. With
     * the detector off only command models are installed (when the channel has command slots).
     */
    public DeviceAgentBuilder updates(UpdateChannel channel, long healthSamples) {
        this.updates = channel;
        this.healthSamples = positive("health samples", healthSamples);
        return this;
    }

    /** Share the thread installs and judgements run on between agents; otherwise each updater owns one. */
    public DeviceAgentBuilder updateWorker(ExecutorService worker) {
        this.updateWorker = worker;
        return this;
    }

    /** No model updates, and why: published in the state as {@code ota.disabled}. */
    public DeviceAgentBuilder updatesDisabled(String reason) {
        this.updatesDisabled = reason;
        return this;
    }

    /**
     * Answers questions: the fleet's {@code ask} command, the operator socket when {@code options} names one, and
     * questions handed to the fleet over MQTT 5 request/response (queued under the state directory's {@code ask/}).
     * Without it the agent answers none.
     */
    public DeviceAgentBuilder ask(AskOptions options) {
        this.ask = options;
        return this;
    }

    private static long positive(String what, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException(what + " must be > 0, got " + v);
        }
        return v;
    }

    public DeviceAgent build() throws MqttException {
        if (uplink == null) {
            Objects.requireNonNull(brokerUri, "broker");
        }
        try {
            return assemble();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the agent's state in " + stateDir, e);
        }
    }

    private DeviceAgent assemble() throws IOException, MqttException {
        String id = DeviceId.require(deviceId);
        Objects.requireNonNull(sensor, "sensor");
        if (detector && detectorModel != null && !detectorModel.channels().equals(sensor.channels())) {
            throw new IllegalArgumentException("the detector model is for channels " + detectorModel.channels()
                    + ", the sensor has " + sensor.channels());
        }
        ScheduledExecutorService owned = scheduler != null ? null : Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("agent-" + id));
        ScheduledExecutorService sched = scheduler != null ? scheduler : owned;
        Outbox outbox = stateDir == null ? new MemoryOutbox(memoryQueueMessages)
                : new DiskQueue(stateDir.resolve("queue"), queueMaxBytes, queueSegmentBytes, fsync);
        CommandLog commandLog = new CommandLog(stateDir, COMMAND_LOG_IDS);
        CommandGuard guard = new CommandGuard(id, commandKey, requireSignedCommands, commandLog, clock);
        int restarts = RestartCounter.next(stateDir);
        List<String> subscriptions = ask == null ? List.of(Topics.cmd(id), Topics.ota(id))
                : List.of(Topics.cmd(id), Topics.ota(id), Topics.answers(id));
        Uplink link = uplink != null ? uplink : new MqttUplink(new MqttUplink.Settings(brokerUri, id, sslContext,
                keepAliveSeconds, sessionExpirySeconds, MQTT_CONNECT_TIMEOUT_MS, subscriptions,
                Topics.state(id), reconnectMinMs, reconnectMaxMs), sched);
        Forwarder forwarder = new Forwarder(outbox, link, sched, FORWARDER_WINDOW);
        OutboxWriter writer = new OutboxWriter(id, outbox, clock, forwarder::wake);
        // The loop routes the pipeline's anomalies to the writer.
        EdgePipeline pipeline = detector ? new EdgePipeline(sensor.channels(), detectorConfig, eventContextRows, null) : null;
        if (pipeline != null && detectorModel != null) {
            pipeline.useModel(detectorModel.model(), detectorModelSha256);
        }
        TelemetryLoop telemetry = new TelemetryLoop(sensor, pipeline, writer, sched, clock, sampleIntervalMs, telemetryIntervalMs);
        AgentState state = new AgentState(id, hardwareId, restarts, clock, telemetry, outbox, writer,
                forwarder, link, guard, sched, stateIntervalMs);
        CommandDispatcher commands = new CommandDispatcher(clock);
        AgentControl control = new AgentControl(clock, state, telemetry, link, outbox, maxRawSeconds * 1000, restartHook, sched);
        AgentCommands.register(control, commands);
        CommandModelHolder commandModelHolder = commandModel == null ? new CommandModelHolder()
                : new CommandModelHolder(commandModel, commandModelSha256);
        state.commandModel(commandModelHolder::info);
        AskService askService = null;
        OperatorSocket socket = null;
        if (ask != null) {
            askService = new AskService(id, ask, control, ask.modbus(), askLink(link),
                    PendingQueries.at(stateDir == null ? null : stateDir.resolve("ask")), writer::event, clock, sched);
            // The holder is the one source of the command model: configured or shipped now, installed ones later.
            askService.commandModel(commandModelHolder.get());
            commandModelHolder.onChange(askService::commandModel);
            AgentCommands.registerAsk(askService, commands);
            state.counters(askService::counters);
            if (ask.socket() != null) {
                boolean inStateDir = stateDir != null
                        && stateDir.toAbsolutePath().normalize().equals(ask.socket().toAbsolutePath().normalize().getParent());
                socket = new OperatorSocket(ask.socket(), inStateDir, askService, sched);
            }
        }
        Inbox inbox = new Inbox(id, guard, commands, writer, sched, restartHook);
        ModelHost host = new AgentModelHost(telemetry, state, writer, inbox, detectorConfig, eventContextRows, commandModelHolder);
        if (updatesDisabled != null) {
            state.attribute("ota.disabled", updatesDisabled);
        }
        ExecutorService ownedWorker = null;
        ModelUpdater updater = null;
        if (updates != null && (pipeline != null || updates.commandSlots() != null)) {
            ownedWorker = updateWorker != null ? null : Executors.newSingleThreadExecutor(DaemonThreads.named("model-update-" + id));
            // After the configured models: the slots' models, when there are some, replace them (OTA wins).
            updater = new ModelUpdater(host, updates, updateWorker != null ? updateWorker : ownedWorker, healthSamples,
                    commandProbeFloor).attach();
        }
        return new DeviceAgent(id, link, outbox, forwarder, telemetry, state, inbox, commandLog, host, owned,
                updater, ownedWorker, commandModelHolder, startTimeoutMs, askService, socket);
    }

    private static AskService.Link askLink(Uplink link) {
        return new AskService.Link() {
            @Override
            public boolean isConnected() {
                return link.isConnected();
            }

            @Override
            public boolean carriesRequests() {
                return link.carriesRequests();
            }

            @Override
            public java.util.concurrent.CompletableFuture<Void> request(String topic, byte[] payload, String responseTopic,
                                                                        byte[] correlationData) {
                return link.request(topic, payload, responseTopic, correlationData);
            }
        };
    }
}
