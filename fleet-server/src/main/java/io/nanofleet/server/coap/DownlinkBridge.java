package io.nanofleet.server.coap;

import io.nanofleet.protocols.DeviceAddress;
import io.nanofleet.server.ingest.Downlinks;

/**
 * Carries what the server sends to devices (commands, director assignments) to CoAP observers. It listens
 * on {@link Downlinks}, which with an external broker feeds it what the broker carried, so whichever
 * instance (REST API, rollout engine) sent a command, every instance's CoAP endpoint sees it.
 */
final class DownlinkBridge implements Downlinks.Listener {
    private final DevicesResource devices;

    DownlinkBridge(DevicesResource devices) {
        this.devices = devices;
    }

    @Override
    public void onDownlink(DeviceAddress a, byte[] payload) {
        DevicesResource.Downlink d = devices.downlink(a.deviceId(), a.channel());
        if (d != null) {
            d.publish(payload);
        }
    }
}
