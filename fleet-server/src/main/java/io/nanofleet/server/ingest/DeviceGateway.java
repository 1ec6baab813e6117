package io.nanofleet.server.ingest;

import io.nanofleet.protocols.Channel;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.DeviceAddress;
import io.nanofleet.protocols.InvalidAddressException;
import io.nanofleet.protocols.PayloadException;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.Query;
import io.nanofleet.protocols.v1.TelemetryBatch;
import io.nanofleet.server.ingest.DeviceMessage.Delivery;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest step, the same for every transport (embedded broker interceptor, external broker
 * subscription, CoAP): decodes each device uplink once with the {@code protocols} codec, checks the
 * payload's device id against the address the transport authenticated and the device against the
 * {@link DevicePolicy}, counts rejects by reason, and hands the decoded message to the {@link IngestBus}.
 * Uplinks are state, telemetry, events and queries (ask); a query carries where its answer goes
 * ({@link AskReply}) to the responder on the bus.
 */
public final class DeviceGateway {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceGateway.class);

    private final IngestBus bus;
    private final IngestCounters counters = new IngestCounters();
    private final LongSupplier clock;
    private final DevicePolicy policy;

    public DeviceGateway(IngestBus bus, LongSupplier clock) {
        this(bus, DevicePolicy.ACCEPT_ALL, clock);
    }

    public DeviceGateway(IngestBus bus, DevicePolicy policy, LongSupplier clock) {
        this.bus = bus;
        this.policy = policy;
        this.clock = clock;
    }

    /** An uplink that arrived on an MQTT topic (the one copy this instance gets). */
    public void handle(String topic, byte[] payload) {
        handle(topic, payload, Delivery.ONLY);
    }

    public void handle(String topic, byte[] payload, Delivery delivery) {
        handle(topic, payload, delivery, AskReply.DEFAULT);
    }

    /** As {@link #handle(String, byte[], Delivery)}; {@code reply} is where a query's answer goes (ask channel only). */
    public void handle(String topic, byte[] payload, Delivery delivery, AskReply reply) {
        DeviceAddress address;
        try {
            address = Topics.parse(topic);
        } catch (InvalidAddressException e) {
            reject(IngestCounters.Reject.BAD_TOPIC, topic, e.getMessage());
            return;
        }
        ingest(address, payload, delivery, reply);
    }

    /** What became of one uplink: accepted (reject null), or refused with its counted reason. */
    public record Outcome(IngestCounters.Reject reject, String detail) {
        static final Outcome ACCEPTED = new Outcome(null, null);

        public boolean accepted() {
            return reject == null;
        }
    }

    /** An uplink from a transport that authenticated {@code address} (the one copy this instance gets). */
    public Outcome ingest(DeviceAddress address, byte[] payload) {
        return ingest(address, payload, Delivery.ONLY);
    }

    /** Decodes, checks and publishes one uplink; may block while a listener's queue is full. */
    public Outcome ingest(DeviceAddress address, byte[] payload, Delivery delivery) {
        return ingest(address, payload, delivery, AskReply.DEFAULT);
    }

    /**
     * As {@link #ingest(DeviceAddress, byte[], Delivery)}, for any uplink channel; {@code reply} is where the
     * answer to a query goes (used on the ask channel only, passed along unchecked: the responder checks it).
     */
    public Outcome ingest(DeviceAddress address, byte[] payload, Delivery delivery, AskReply reply) {
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
        DeviceMessage message;
        try {
            switch (address.channel()) {
                case STATE -> {
                    counters.decoded();
                    DeviceState s = Codecs.STATE.decode(payload);
                    message = new DeviceMessage.State(s, now, delivery);
                }
                case TELEMETRY -> {
                    counters.decoded();
                    TelemetryBatch b = Codecs.TELEMETRY.decode(payload);
                    message = new DeviceMessage.Telemetry(b, now, delivery);
                }
                case EVENTS -> {
                    counters.decoded();
                    Event e = Codecs.EVENT.decode(payload);
                    message = new DeviceMessage.Events(e, now, delivery);
                }
                case ASK -> {
                    counters.decoded();
                    Query q = Codecs.QUERY.decode(payload);
                    message = new DeviceMessage.Ask(q, reply == null ? AskReply.DEFAULT : reply, now, delivery);
                }
                default -> {
                    return reject(IngestCounters.Reject.BAD_TOPIC, where, "not an uplink channel");
                }
            }
        } catch (PayloadException e) {
            return reject(IngestCounters.Reject.of(e.reason()), where, e.getMessage());
        }
        if (!address.deviceId().equals(message.deviceId())) {
            return reject(IngestCounters.Reject.DEVICE_MISMATCH, where, "payload says device '" + message.deviceId() + "'");
        }
        bus.publish(message);
        counters.accepted();
        return Outcome.ACCEPTED;
    }

    /** False while a listener's queue is full, when {@link #ingest} would block. */
    public boolean hasRoom() {
        return bus.hasRoom();
    }

    private Outcome reject(IngestCounters.Reject reason, String where, String detail) {
        counters.rejected(reason);
        LOG.debug("rejected message on {}: {} ({})", where, reason, detail);
        return new Outcome(reason, detail);
    }

    public IngestCounters counters() {
        return counters;
    }
}
