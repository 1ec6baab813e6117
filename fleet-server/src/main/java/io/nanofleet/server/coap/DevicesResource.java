package io.nanofleet.server.coap;

import io.nanofleet.protocols.Channel;
import io.nanofleet.protocols.DeviceAddress;
import io.nanofleet.protocols.DeviceId;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.v1.Answer;
import io.nanofleet.server.ingest.AskReply;
import io.nanofleet.server.ingest.DeviceGateway;
import io.nanofleet.server.ingest.DeviceMessage;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;

/**
 * {@code /v1/d/{deviceId}/{channel}}: device resources are created on first use, so the tree needs no
 * device list. Uplink channels accept POST into the same ingest path as MQTT (ask answers in the response
 * body); downlink channels (cmd, ota) are observable and carry the latest message the server published for the device.
 */
final class DevicesResource extends CoapResource {
    /** How long a CoAP query waits for its answer (the responder answers sooner: its own timeout is shorter). */
    static final Duration ANSWER_WAIT = Duration.ofSeconds(60);

    private final DeviceGateway gateway;
    private final Peers peers;

    DevicesResource(DeviceGateway gateway, Peers peers) {
        super("d");
        this.gateway = gateway;
        this.peers = peers;
    }

    @Override
    public Resource getChild(String deviceId) {
        Resource r = super.getChild(deviceId);
        if (r != null || !DeviceId.isValid(deviceId)) {
            return r;
        }
        synchronized (this) {
            r = super.getChild(deviceId);
            if (r == null) {
                r = new DeviceResource(deviceId);
                add((CoapResource) r);
            }
            return r;
        }
    }

    /** The downlink resource of a device channel (cmd or ota), creating the device's resources if needed. */
    Downlink downlink(String deviceId, Channel channel) {
        DeviceResource d = (DeviceResource) getChild(deviceId);
        return d == null ? null : (Downlink) d.getChild(channel.segment());
    }

    private final class DeviceResource extends CoapResource {
        DeviceResource(String deviceId) {
            super(deviceId);
            setVisible(false);
            for (Channel c : Channel.values()) {
                if (c == Channel.ASK) {
                    add(new Ask(deviceId));
                } else if (c.direction() == Channel.Direction.UPLINK) {
                    add(new Uplink(deviceId, c));
                } else if (c == Channel.CMD || c == Channel.OTA) {
                    add(new Downlink(deviceId, c, peers));
                }
            }
        }
    }

    private final class Uplink extends CoapResource {
        private final DeviceAddress address;

        Uplink(String deviceId, Channel channel) {
            super(channel.segment());
            this.address = new DeviceAddress(deviceId, channel);
        }

        @Override
        public void handlePOST(CoapExchange ex) {
            if (!peers.mayActAs(ex, address.deviceId())) {
                return;
            }
            DeviceGateway.Outcome o = gateway.ingest(address, ex.getRequestPayload());
            if (o.accepted()) {
                ex.respond(ResponseCode.CHANGED);
            } else {
                ex.respond(ResponseCode.BAD_REQUEST, o.reject() + ": " + o.detail());
            }
        }
    }

    /**
     * POST a Query, get the Answer as the response body (2.05, or 4.00 with the counted reason, as other uplinks):
     * the query takes the ingest path of MQTT queries to the responder, which hands the answer back here instead
     * of publishing it. The request is acknowledged at once (an empty ACK to a confirmable request) and the answer
     * follows as a separate response, since a model may take a while; 5.04 if none comes within {@link #ANSWER_WAIT}.
     */
    private final class Ask extends CoapResource {
        private final DeviceAddress address;

        Ask(String deviceId) {
            super(Channel.ASK.segment());
            this.address = new DeviceAddress(deviceId, Channel.ASK);
        }

        @Override
        public void handlePOST(CoapExchange ex) {
            if (!peers.mayActAs(ex, address.deviceId())) {
                return;
            }
            CompletableFuture<Answer> answer = new CompletableFuture<>();
            DeviceGateway.Outcome o = gateway.ingest(address, ex.getRequestPayload(), DeviceMessage.Delivery.ONLY,
                    new AskReply.Direct(answer::complete));
            if (!o.accepted()) {
                ex.respond(ResponseCode.BAD_REQUEST, o.reject() + ": " + o.detail());
                return;
            }
            if (!answer.isDone()) {
                ex.accept();
            }
            answer.orTimeout(ANSWER_WAIT.toMillis(), TimeUnit.MILLISECONDS).whenComplete((a, e) -> {
                if (e != null) {
                    ex.respond(ResponseCode.GATEWAY_TIMEOUT, "no answer within " + ANSWER_WAIT.toSeconds() + " s");
                } else {
                    ex.respond(ResponseCode.CONTENT, Codecs.ANSWER.encode(a), MediaTypeRegistry.APPLICATION_OCTET_STREAM);
                }
            });
        }
    }

    /** Observable: a device observes it and is notified (confirmable) when the server publishes a new message. */
    static final class Downlink extends CoapResource {
        private final String deviceId;
        private final Peers peers;
        private volatile byte[] latest = new byte[0];

        Downlink(String deviceId, Channel channel, Peers peers) {
            super(channel.segment());
            this.deviceId = deviceId;
            this.peers = peers;
            setObservable(true);
            setObserveType(Type.CON);
            getAttributes().setObservable();
        }

        void publish(byte[] payload) {
            latest = payload;
            changed();
        }

        @Override
        public void handleGET(CoapExchange ex) {
            if (!peers.mayActAs(ex, deviceId)) {
                return;
            }
            // Empty 2.05 means "nothing yet": the observe relation is established and the device waits.
            ex.respond(ResponseCode.CONTENT, latest, MediaTypeRegistry.APPLICATION_OCTET_STREAM);
        }
    }
}
