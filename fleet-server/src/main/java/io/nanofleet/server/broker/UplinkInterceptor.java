package io.nanofleet.server.broker;

import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.PublishPacket;
import io.nanofleet.protocols.Channel;
import io.nanofleet.protocols.DeviceAddress;
import io.nanofleet.protocols.InvalidAddressException;
import io.nanofleet.protocols.Topics;
import java.nio.ByteBuffer;
import java.time.Duration;
import io.nanofleet.server.ingest.AskReply;
import io.nanofleet.server.ingest.DeviceGateway;
import io.nanofleet.server.ingest.DeviceMessage.Delivery;
import java.util.concurrent.Executor;

/**
 * Hands a device's state, telemetry, events and queries (ask, with the MQTT 5 response topic and correlation
 * data) to the ingest step inside the broker, the way the CoAP endpoint does, instead of re-publishing them to a server MQTT subscriber. With the embedded broker
 * that second hop (broker queue, loopback TCP, Paho) cost more CPU than storing the message
 * (fleet-server/BENCHMARKS.md, run D). The broker still routes the message as usual afterwards (and
 * keeps a state as the device's retained message), so other subscribers see it.
 *
 * <p>HiveMQ calls inbound interceptors before its topic authorization, so this class applies the
 * device ACL's rule for these channels itself: a client's uplink is taken only from its own topics.
 * Anything else is left alone for the authorizer to refuse. The PUBACK is sent after the message is
 * queued for storage (a query: queued for the responder). A message the ingest path refuses (malformed,
 * unknown device), on any of these channels, is counted in the ingest metrics and dropped with a non-success PUBACK (MQTT 5: 0x99 payload
 * format invalid, or 0x87 not authorized for a device that may not send): the broker neither routes it nor
 * keeps it as the device's retained state, and the device hears why. MQTT 5 ends a QoS 1 flow on any
 * PUBACK, so the device does not resend it.
 */
final class UplinkInterceptor implements PublishInboundInterceptor {
    /** How long a publish may wait for room in a full ingest queue before HiveMQ refuses it. */
    static final Duration FULL_QUEUE_WAIT = Duration.ofSeconds(60);

    private final DeviceGateway gateway;
    private final Executor blockingExecutor;

    /**
     * @param gateway          the ingest step (it exists before the broker starts)
     * @param blockingExecutor where waits happen, never on the broker's event loop
     */
    UplinkInterceptor(DeviceGateway gateway, Executor blockingExecutor) {
        this.gateway = gateway;
        this.blockingExecutor = blockingExecutor;
    }

    @Override
    public void onInboundPublish(PublishInboundInput in, PublishInboundOutput out) {
        DeviceAddress address;
        try {
            address = Topics.parse(in.getPublishPacket().getTopic());
        } catch (InvalidAddressException e) {
            return;
        }
        if (!isUplink(address.channel()) || !address.deviceId().equals(in.getClientInformation().getClientId())) {
            return;
        }
        byte[] payload = in.getPublishPacket().getPayload().map(UplinkInterceptor::bytes).orElse(new byte[0]);
        AskReply reply = address.channel() == Channel.ASK ? reply(in.getPublishPacket()) : AskReply.DEFAULT;
        if (gateway.hasRoom()) {
            refuseIfRejected(gateway.ingest(address, payload, Delivery.ONLY, reply), out);
            return;
        }
        // The storage queue is full: wait off the event loop and hold the PUBACK until the message is queued,
        // so the device keeps it and slows down instead of the broker dropping it. Past the wait the FAILURE
        // fallback refuses the publish and the device resends.
        Async<PublishInboundOutput> async = out.async(FULL_QUEUE_WAIT, TimeoutFallback.FAILURE);
        blockingExecutor.execute(() -> {
            try {
                refuseIfRejected(gateway.ingest(address, payload, Delivery.ONLY, reply), out);
            } finally {
                async.resume();
            }
        });
    }

    /** A refused uplink is not delivered, not retained, and answered with a failure reason code. */
    static void refuseIfRejected(DeviceGateway.Outcome outcome, PublishInboundOutput out) {
        if (outcome.accepted()) {
            return;
        }
        AckReasonCode code = switch (outcome.reject()) {
            case UNKNOWN_DEVICE, REVOKED_DEVICE, DEVICE_MISMATCH -> AckReasonCode.NOT_AUTHORIZED;
            default -> AckReasonCode.PAYLOAD_FORMAT_INVALID;
        };
        out.preventPublishDelivery(code, "refused: " + outcome.reject().name().toLowerCase(java.util.Locale.ROOT)
                + (outcome.detail() == null ? "" : " (" + outcome.detail() + ")"));
    }

    static boolean isUplink(Channel c) {
        return c == Channel.STATE || c == Channel.TELEMETRY || c == Channel.EVENTS || c == Channel.ASK;
    }

    /** A query's MQTT 5 response topic and correlation data, as the device sent them (checked by the responder). */
    static AskReply reply(PublishPacket packet) {
        return new AskReply.Mqtt(packet.getResponseTopic().orElse(null),
                packet.getCorrelationData().map(UplinkInterceptor::bytes).orElse(null));
    }

    static byte[] bytes(ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.duplicate().get(b);
        return b;
    }
}
