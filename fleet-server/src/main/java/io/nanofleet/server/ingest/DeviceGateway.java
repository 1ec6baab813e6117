package io.nanofleet.server.ingest;

import io.nanofleet.protocols.Channel;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.DeviceAddress;
import io.nanofleet.protocols.InvalidAddressException;
import io.nanofleet.protocols.PayloadException;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.Command;
import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.TelemetryBatch;
import io.nanofleet.server.store.BatchWriter;
import java.util.function.LongSupplier;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's MQTT side: consumes device uplinks and publishes commands. With an external broker,
 * telemetry and events come through shared subscriptions ({@code $share/nanofleet/...}) so N server
 * instances split the load; with the embedded broker they arrive in-process (see {@link Subscription}).
 * State uses a plain subscription on purpose: every instance should know every device's state, state
 * traffic is small, and only a non-shared subscription receives the retained states at start-up.
 * Messages arrive through the client-wide callback: Paho's per-subscription listeners do not match
 * {@code $share} filters.
 */
public final class DeviceGateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceGateway.class);

    private final ServerMqttClient mqtt;
    private final BatchWriter writer;
    private final IngestCounters counters = new IngestCounters();
    private final LongSupplier clock;
    private volatile DevicePolicy policy = DevicePolicy.ACCEPT_ALL;

    /**
     * Which device uplinks the gateway takes from an MQTT subscription. {@link #SHARED}: state, plus
     * telemetry and events through {@code $share} subscriptions, so several server instances behind one
     * external broker split the load. {@link #STATE_ONLY}: with the embedded broker, which hands telemetry
     * and events to {@link #ingest} inside the process (broker.UplinkInterceptor); the second hop through
     * the broker cost more CPU than storing, and HiveMQ CE's shared-subscription queue finds each
     * acknowledged message by a linear scan (fleet-server/BENCHMARKS.md, run D).
     */
    public enum Subscription {
        SHARED, STATE_ONLY
    }

    public DeviceGateway(String brokerUri, BatchWriter writer, LongSupplier clock) {
        this(BrokerConnection.plain(brokerUri), Subscription.SHARED, writer, clock);
    }

    public DeviceGateway(BrokerConnection connection, Subscription subscription, BatchWriter writer, LongSupplier clock) {
        this.writer = writer;
        this.clock = clock;
        MqttSubscription state = new MqttSubscription(Topics.allDevices(Channel.STATE), 1);
        this.mqtt = new ServerMqttClient("device ingest", "nanofleet-server-", connection.uri(), connection::applyTo,
                this::handle, subscription == Subscription.STATE_ONLY ? new MqttSubscription[] {state}
                        : new MqttSubscription[] {state,
                                new MqttSubscription(Topics.shared(Channel.TELEMETRY), 1),
                                new MqttSubscription(Topics.shared(Channel.EVENTS), 1)});
    }

    public void start() {
        mqtt.start();
    }

    /** Decodes, checks the payload against its topic, and queues it for storage. Public for tests. */
    public void handle(String topic, byte[] payload) {
        DeviceAddress address;
        try {
            address = Topics.parse(topic);
        } catch (InvalidAddressException e) {
            reject(IngestCounters.Reject.BAD_TOPIC, topic, e.getMessage());
            return;
        }
        ingest(address, payload);
    }

    /** What became of one uplink: accepted (reject null), or refused with its counted reason. */
    public record Outcome(IngestCounters.Reject reject, String detail) {
        static final Outcome ACCEPTED = new Outcome(null, null);

        public boolean accepted() {
            return reject == null;
        }
    }

    /**
     * Transport-neutral ingest, shared by MQTT and CoAP: decodes, checks the payload's device id against
     * the address the transport authenticated, and queues it for storage.
     */
    public Outcome ingest(DeviceAddress address, byte[] payload) {
        String where = address.deviceId() + "/" + address.channel().segment();
        if (address.channel() == Channel.STATE && payload.length == 0) {
            // An empty retained message is how MQTT clears a retained state (decommissioning): not an error.
            return Outcome.ACCEPTED;
        }
        IngestCounters.Reject refused = policy.refuse(address.deviceId());
        if (refused != null) {
            return reject(refused, where, "device '" + address.deviceId() + "' may not send");
        }
        long now = clock.getAsLong();
        try {
            switch (address.channel()) {
                case STATE -> {
                    DeviceState s = Codecs.STATE.decode(payload);
                    if (!address.deviceId().equals(s.getDeviceId())) {
                        return mismatch(where, s.getDeviceId());
                    }
                    writer.submit(new BatchWriter.StateWrite(s, now));
                }
                case TELEMETRY -> {
                    TelemetryBatch b = Codecs.TELEMETRY.decode(payload);
                    if (!address.deviceId().equals(b.getDeviceId())) {
                        return mismatch(where, b.getDeviceId());
                    }
                    writer.submit(new BatchWriter.TelemetryWrite(b, now));
                }
                case EVENTS -> {
                    Event e = Codecs.EVENT.decode(payload);
                    if (!address.deviceId().equals(e.getDeviceId())) {
                        return mismatch(where, e.getDeviceId());
                    }
                    writer.submit(new BatchWriter.EventWrite(e, now));
                }
                default -> {
                    return reject(IngestCounters.Reject.BAD_TOPIC, where, "not an uplink channel");
                }
            }
            counters.accepted();
            return Outcome.ACCEPTED;
        } catch (PayloadException e) {
            return reject(IngestCounters.Reject.of(e.reason()), where, e.getMessage());
        }
    }

    /** False while the storage queue is full, when {@link #ingest} would block. */
    public boolean hasRoom() {
        return writer.hasRoom();
    }

    private Outcome mismatch(String where, String payloadDeviceId) {
        return reject(IngestCounters.Reject.DEVICE_MISMATCH, where, "payload says device '" + payloadDeviceId + "'");
    }

    private Outcome reject(IngestCounters.Reject reason, String where, String detail) {
        counters.rejected(reason);
        LOG.debug("rejected message on {}: {} ({})", where, reason, detail);
        return new Outcome(reason, detail);
    }

    /** Which device ids may send (enrolled only, or anyone not revoked in development mode). */
    public void policy(DevicePolicy policy) {
        this.policy = policy;
    }

    public IngestCounters counters() {
        return counters;
    }

    public boolean isConnected() {
        return mqtt.isConnected();
    }

    /** Publishes a command to its device (QoS 1, not retained: a stale command must not be replayed). */
    public void send(Command command) throws MqttException {
        mqtt.paho().publish(Topics.cmd(command.getDeviceId()), Codecs.COMMAND.encode(command), 1, false);
    }

    /**
     * Publishes a director assignment to its device, retained: a device that was offline (or restarts)
     * receives its current assignment when it subscribes, and a newer one replaces it.
     */
    public void sendAssignment(io.nanofleet.protocols.v1.Assignment assignment) throws MqttException {
        // Waits for the broker's ack: the broker caps QoS 1 messages in flight (HiveMQ: 10), and a rollout
        // wave publishes many assignments back to back.
        mqtt.paho().publish(Topics.ota(assignment.getDeviceId()), Codecs.ASSIGNMENT.encode(assignment), 1, true)
                .waitForCompletion(15_000);
    }

    @Override
    public void close() {
        mqtt.close();
    }
}
