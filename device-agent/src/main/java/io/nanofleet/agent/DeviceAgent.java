package io.nanofleet.agent;

import io.nanofleet.agent.ask.AskService;
import io.nanofleet.agent.ask.OperatorSocket;
import io.nanofleet.agent.command.CommandGuard;
import io.nanofleet.agent.command.CommandLog;
import io.nanofleet.agent.ota.CommandModelHolder;
import io.nanofleet.agent.ota.ModelHost;
import io.nanofleet.agent.ota.ModelUpdater;
import io.nanofleet.agent.pipeline.EdgePipeline;
import io.nanofleet.agent.queue.Outbox;
import io.nanofleet.agent.telemetry.TelemetryLoop;
import io.nanofleet.agent.transport.Forwarder;
import io.nanofleet.agent.transport.MqttUplink;
import io.nanofleet.agent.transport.Uplink;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.DeviceState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The device agent at run time: starts and stops its parts, hands the fleet's messages to the {@link Inbox},
 * and answers for its figures. The parts come from {@link DeviceAgentBuilder}: the {@link TelemetryLoop}
 * (sensor to summaries, events and raw samples), the store-and-forward {@link Outbox} that a
 * {@link Forwarder} drains into the {@link Uplink}, the retained {@link AgentState}, and the commands behind
 * the {@link CommandGuard}. Many agents can share one scheduler (the simulator runs thousands in one JVM).
 */
public final class DeviceAgent implements AutoCloseable {
    public static final String VERSION = "0.2.0";

    private final String deviceId;
    private final Uplink uplink;
    private final Outbox outbox;
    private final Forwarder forwarder;
    private final TelemetryLoop telemetry;
    private final AgentState state;
    private final Inbox inbox;
    private final CommandLog commandLog;
    private final ModelHost modelHost;
    private final ExecutorService ownedScheduler;
    private final ModelUpdater modelUpdater;
    private final ExecutorService ownedUpdateWorker;
    private final CommandModelHolder commandModel;
    private final long startTimeoutMs;
    private final AskService ask;
    private final OperatorSocket operatorSocket;
    private volatile boolean closed;

    /**
     * @param ownedScheduler    shut down at close; null when the scheduler is shared with other agents
     * @param modelUpdater      the attached model updater, or null without model updates
     * @param ownedUpdateWorker the updater's thread, shut down at close; null when shared or absent
     * @param commandModel      the command model operators' text is answered with (swapped by command-model updates)
     */
    DeviceAgent(String deviceId, Uplink uplink, Outbox outbox, Forwarder forwarder, TelemetryLoop telemetry, AgentState state,
                Inbox inbox, CommandLog commandLog, ModelHost modelHost, ExecutorService ownedScheduler,
                ModelUpdater modelUpdater, ExecutorService ownedUpdateWorker, CommandModelHolder commandModel, long startTimeoutMs,
                AskService ask, OperatorSocket operatorSocket) {
        this.commandModel = commandModel;
        this.deviceId = deviceId;
        this.uplink = uplink;
        this.outbox = outbox;
        this.forwarder = forwarder;
        this.telemetry = telemetry;
        this.state = state;
        this.inbox = inbox;
        this.commandLog = commandLog;
        this.modelHost = modelHost;
        this.ownedScheduler = ownedScheduler;
        this.modelUpdater = modelUpdater;
        this.ownedUpdateWorker = ownedUpdateWorker;
        this.startTimeoutMs = startTimeoutMs;
        this.ask = ask;
        this.operatorSocket = operatorSocket;
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
        if (ask != null) {
            try {
                ask.start();
                if (operatorSocket != null) {
                    operatorSocket.open();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
        String answers = Topics.answers(deviceId);
        uplink.start(new Uplink.Listener() {
            @Override
            public void connected(boolean reconnect) {
                state.connected();
                forwarder.restart();
                if (ask != null) {
                    ask.connected();
                }
            }

            @Override
            public void disconnected(String reason) {}

            @Override
            public void message(String topic, byte[] payload) {
                inbox.message(topic, payload);
            }

            @Override
            public void message(String topic, byte[] payload, byte[] correlationData) {
                if (ask != null && topic.equals(answers)) {
                    ask.answerArrived(payload, correlationData);
                } else {
                    inbox.message(topic, payload);
                }
            }

            @Override
            public byte[] lastWill() {
                return state.offline();
            }
        });
        telemetry.start();
        state.start();
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
        return state.message(status);
    }

    /** Health counters, published in the retained state and printed by {@code status}. */
    public Map<String, String> counters() {
        return state.counters();
    }

    /** What the model updater may use and change (see {@link ModelHost}). */
    public ModelHost modelHost() {
        return modelHost;
    }

    /** The model updater the builder attached ({@link DeviceAgentBuilder#updates}), or null without model updates. */
    public ModelUpdater modelUpdater() {
        return modelUpdater;
    }

    /**
     * The command model this agent answers operators' text with: {@code commandModel().get()} at each use (then
     * {@code .predictor()}, one per thread). The shipped model until one is configured or installed over the air;
     * a committed {@code command-model} update swaps it without a restart.
     */
    public CommandModelHolder commandModel() {
        return commandModel;
    }

    /** The ask service ({@link DeviceAgentBuilder#ask}), or null when this agent answers no questions. */
    public AskService askService() {
        return ask;
    }

    /** The channel names of this agent's sensor. */
    public List<String> channels() {
        return telemetry.channels();
    }

    /** The running detector pipeline (null when the detector is off). */
    public EdgePipeline detector() {
        return telemetry.detector();
    }

    /** Adds an attribute to the published state (e.g. the running model). */
    public void attribute(String key, String value) {
        state.attribute(key, value);
    }

    // ---- figures ----

    public boolean isConnected() {
        return uplink.isConnected();
    }

    /** Messages the broker acknowledged (summaries, events, raw samples), plus retained states sent. */
    public long publishedCount() {
        return forwarder.delivered() + state.published();
    }

    public long telemetryBatchesSent() {
        return forwarder.delivered();
    }

    public long rejectedPayloadCount() {
        return inbox.rejectedPayloads();
    }

    public long refusedCommandCount() {
        return inbox.refusedCommands();
    }

    public CommandGuard commandGuard() {
        return inbox.guard();
    }

    /** Index of the newest queued message: every summary and event carries one, 1, 2, 3... per device. */
    public long lastQueuedIndex() {
        return outbox.lastIndex();
    }

    public long pendingMessages() {
        return outbox.pending();
    }

    public long sensorErrorCount() {
        return telemetry.sensorErrors();
    }

    public long sampleCount() {
        return telemetry.samples();
    }

    /** Wall-clock ms of the first successful connection, or -1. */
    public long firstConnectedMs() {
        return state.firstConnectedMs();
    }

    /**
     * Simulates a power cut or network loss: the connection drops without an MQTT DISCONNECT, so the broker
     * publishes this agent's last will (state OFFLINE). Sampling stops; the agent does not reconnect.
     */
    public void dropConnection() {
        stopTimers();
        uplink.dropConnection();
    }

    private void stopTimers() {
        telemetry.stop();
        state.stop();
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
        stopTimers();
        if (operatorSocket != null) {
            operatorSocket.close();
        }
        if (ask != null) {
            ask.close();
        }
        telemetry.publishSummary();
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
        state.close();
        if (uplink instanceof MqttUplink) {
            ((MqttUplink) uplink).closeWith(Topics.state(deviceId), state.offline(), 2000);
        } else {
            uplink.close();
        }
        try {
            outbox.close();
            commandLog.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not flush the queue to disk", e);
        } finally {
            telemetry.close();
            if (ownedScheduler != null) {
                ownedScheduler.shutdownNow();
            }
            if (ownedUpdateWorker != null) {
                ownedUpdateWorker.shutdownNow();
            }
        }
    }
}
