package io.nanofleet.server.coap;

import io.nanofleet.protocols.Channel;
import io.nanofleet.protocols.DeviceAddress;
import io.nanofleet.protocols.DeviceId;
import io.nanofleet.server.ingest.DeviceGateway;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;

/**
 * {@code /v1/d/{deviceId}/{channel}}: device resources are created on first use, so the tree needs no
 * device list. Uplink channels accept POST into the same ingest path as MQTT; downlink channels
 * (cmd, ota) are observable and carry the latest message the server published for the device.
 */
final class DevicesResource extends CoapResource {
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
                if (c.direction() == Channel.Direction.UPLINK && c != Channel.ASK) {
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
