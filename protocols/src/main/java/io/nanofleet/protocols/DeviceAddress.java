package io.nanofleet.protocols;

import java.util.Objects;

/** A parsed topic or CoAP path: which device, which channel. */
public record DeviceAddress(String deviceId, Channel channel) {
    public DeviceAddress {
        DeviceId.require(deviceId);
        Objects.requireNonNull(channel, "channel");
    }
}
