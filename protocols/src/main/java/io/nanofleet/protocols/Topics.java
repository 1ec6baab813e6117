package io.nanofleet.protocols;

/**
 * MQTT 5 topic names: {@code nf/v1/d/{deviceId}/{channel}}. Builders validate the device id so a
 * caller can never produce a topic containing wildcards or extra levels; the parser is strict for the
 * same reason (it runs on untrusted input in the broker's ACL check).
 */
public final class Topics {
    public static final String ROOT = "nf/v1/d/";
    /** Shared-subscription group used by every fleet-server instance, so they split device traffic. */
    public static final String SHARE_GROUP = "nanofleet";
    /** Longest topic we ever build; anything longer is rejected before parsing. */
    public static final int MAX_TOPIC_LENGTH = ROOT.length() + DeviceId.MAX_LENGTH + 1 + 16;

    private Topics() {}

    public static String topic(String deviceId, Channel channel) {
        return ROOT + DeviceId.require(deviceId) + "/" + channel.segment();
    }

    public static String state(String deviceId) {
        return topic(deviceId, Channel.STATE);
    }

    public static String telemetry(String deviceId) {
        return topic(deviceId, Channel.TELEMETRY);
    }

    public static String events(String deviceId) {
        return topic(deviceId, Channel.EVENTS);
    }

    public static String cmd(String deviceId) {
        return topic(deviceId, Channel.CMD);
    }

    public static String ota(String deviceId) {
        return topic(deviceId, Channel.OTA);
    }

    public static String ask(String deviceId) {
        return topic(deviceId, Channel.ASK);
    }

    /** The subtree a device is confined to, as an MQTT filter: {@code nf/v1/d/{id}/#}. */
    public static String deviceSubtree(String deviceId) {
        return ROOT + DeviceId.require(deviceId) + "/#";
    }

    /** Filter matching one channel of every device: {@code nf/v1/d/+/{channel}}. */
    public static String allDevices(Channel channel) {
        return ROOT + "+/" + channel.segment();
    }

    /** Shared subscription over one channel of every device: {@code $share/nanofleet/nf/v1/d/+/{channel}}. */
    public static String shared(Channel channel) {
        return "$share/" + SHARE_GROUP + "/" + allDevices(channel);
    }

    /** Response topic a server answers {@code ask} queries on when the device gives none. */
    public static String answers(String deviceId) {
        return ROOT + DeviceId.require(deviceId) + "/answers";
    }

    /**
     * Parses a concrete topic name (never a filter) into device and channel.
     *
     * @throws InvalidAddressException with the reason when the topic is not exactly ours
     */
    public static DeviceAddress parse(String topic) {
        if (topic == null || topic.isEmpty()) {
            throw new InvalidAddressException("topic is empty");
        }
        if (topic.length() > MAX_TOPIC_LENGTH) {
            throw new InvalidAddressException("topic is " + topic.length() + " characters, longer than any NanoFleet topic");
        }
        if (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
            throw new InvalidAddressException("topic contains an MQTT wildcard: " + topic);
        }
        if (!topic.startsWith(ROOT)) {
            throw new InvalidAddressException("topic is not under " + ROOT + ": " + topic);
        }
        String rest = topic.substring(ROOT.length());
        int slash = rest.indexOf('/');
        if (slash < 0 || rest.indexOf('/', slash + 1) >= 0) {
            throw new InvalidAddressException("topic must be " + ROOT + "{deviceId}/{channel}: " + topic);
        }
        String id = rest.substring(0, slash);
        String problem = DeviceId.problem(id);
        if (problem != null) {
            throw new InvalidAddressException(problem + " in topic " + topic);
        }
        Channel channel = Channel.fromSegment(rest.substring(slash + 1));
        if (channel == null) {
            throw new InvalidAddressException("unknown channel '" + rest.substring(slash + 1) + "' in topic " + topic);
        }
        return new DeviceAddress(id, channel);
    }
}
