package io.nanofleet.protocols;

/**
 * The message channels every device has, the last level of {@code nf/v1/d/{deviceId}/...} and of the
 * CoAP path {@code /v1/d/{deviceId}/...}.
 */
public enum Channel {
    STATE("state", Direction.UPLINK),
    TELEMETRY("telemetry", Direction.UPLINK),
    EVENTS("events", Direction.UPLINK),
    CMD("cmd", Direction.DOWNLINK),
    OTA("ota", Direction.DOWNLINK),
    ASK("ask", Direction.UPLINK);

    public enum Direction { UPLINK, DOWNLINK }

    private final String segment;
    private final Direction direction;

    Channel(String segment, Direction direction) {
        this.segment = segment;
        this.direction = direction;
    }

    public String segment() {
        return segment;
    }

    /** UPLINK: device to server; DOWNLINK: server to device. */
    public Direction direction() {
        return direction;
    }

    public static Channel fromSegment(String segment) {
        for (Channel c : values()) {
            if (c.segment.equals(segment)) {
                return c;
            }
        }
        return null;
    }
}
