package io.nanofleet.protocols;

import java.util.List;

/**
 * CoAP resource paths mirroring the MQTT topics: {@code /v1/d/{deviceId}/{channel}}, plus
 * {@code /v1/targets/{name}} for Block2 downloads of update targets.
 */
public final class CoapPaths {
    public static final String VERSION = "v1";
    public static final String DEVICES = "d";
    public static final String TARGETS = "targets";

    private CoapPaths() {}

    /** Path segments for a device channel, e.g. ["v1","d","pump-7","telemetry"]. */
    public static List<String> segments(String deviceId, Channel channel) {
        return List.of(VERSION, DEVICES, DeviceId.require(deviceId), channel.segment());
    }

    public static String path(String deviceId, Channel channel) {
        return "/" + String.join("/", segments(deviceId, channel));
    }

    /** Path of an update target; target names are TUF target paths, checked like device ids per segment. */
    public static String target(String targetName) {
        return "/" + VERSION + "/" + TARGETS + "/" + requireTargetName(targetName);
    }

    public static String requireTargetName(String targetName) {
        if (targetName == null || targetName.isEmpty()) {
            throw new InvalidAddressException("target name is empty");
        }
        for (String seg : targetName.split("/", -1)) {
            if (!DeviceId.isValid(seg)) {
                throw new InvalidAddressException("target name segment '" + seg + "' is not allowed in " + targetName);
            }
        }
        return targetName;
    }

    /** Parses the URI path segments of a device request. */
    public static DeviceAddress parse(List<String> segments) {
        if (segments == null || segments.size() != 4) {
            throw new InvalidAddressException("CoAP path must be /v1/d/{deviceId}/{channel}, got " + segments);
        }
        if (!VERSION.equals(segments.get(0)) || !DEVICES.equals(segments.get(1))) {
            throw new InvalidAddressException("CoAP path must start with /v1/d/, got " + segments);
        }
        String id = segments.get(2);
        String problem = DeviceId.problem(id);
        if (problem != null) {
            throw new InvalidAddressException(problem + " in CoAP path");
        }
        Channel channel = Channel.fromSegment(segments.get(3));
        if (channel == null) {
            throw new InvalidAddressException("unknown channel '" + segments.get(3) + "' in CoAP path");
        }
        return new DeviceAddress(id, channel);
    }
}
