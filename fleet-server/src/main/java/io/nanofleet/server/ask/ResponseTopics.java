package io.nanofleet.server.ask;

import io.nanofleet.protocols.InvalidAddressException;
import io.nanofleet.protocols.Topics;

/**
 * Where the server may publish the answer to a device's query. The response topic comes from the device and is
 * untrusted: the server answers only inside the asking device's own subtree {@code nf/v1/d/{id}/...}, never on
 * another device's topic or outside {@code nf/v1/}, and never on one of the device's wire channels (state,
 * telemetry, events, cmd, ota, ask), whose payload types are fixed: an answer there would be a message of the
 * wrong type to whoever reads that channel. No response topic means {@link Topics#answers(String)}.
 */
public final class ResponseTopics {
    /** Longer response topics are refused (ours are far shorter; MQTT would allow 65,535 bytes). */
    public static final int MAX_LENGTH = 256;

    /** Why a response topic was refused: the label values of the refusal counter. */
    public enum Refusal {
        /** Not in the asking device's subtree: another device's topic, or not a NanoFleet device topic at all. */
        OUTSIDE_SUBTREE,
        /** One of the device's wire channels (state, telemetry, events, cmd, ota, ask). */
        CHANNEL_TOPIC,
        /** Not a topic one may publish to: wildcards, NUL, nothing after the device's prefix, too long. */
        INVALID
    }

    /** The topic to answer on, or the refusal (exactly one of the two is non-null). */
    public record Verdict(String topic, Refusal refusal) {
        public boolean allowed() {
            return refusal == null;
        }
    }

    private ResponseTopics() {}

    /**
     * @param deviceId      the authenticated, asking device
     * @param responseTopic the MQTT 5 response topic it sent, null or empty when none
     */
    public static Verdict check(String deviceId, String responseTopic) {
        if (responseTopic == null || responseTopic.isEmpty()) {
            return new Verdict(Topics.answers(deviceId), null);
        }
        if (responseTopic.length() > MAX_LENGTH || responseTopic.indexOf('+') >= 0 || responseTopic.indexOf('#') >= 0
                || responseTopic.indexOf('\u0000') >= 0) {
            return refused(Refusal.INVALID);
        }
        String prefix = Topics.ROOT + deviceId + "/";
        if (!responseTopic.startsWith(prefix)) {
            return refused(Refusal.OUTSIDE_SUBTREE);
        }
        if (responseTopic.length() == prefix.length()) {
            return refused(Refusal.INVALID);
        }
        try {
            Topics.parse(responseTopic); // parses only the device's exact channel topics
            return refused(Refusal.CHANNEL_TOPIC);
        } catch (InvalidAddressException notAChannel) {
            return new Verdict(responseTopic, null);
        }
    }

    private static Verdict refused(Refusal r) {
        return new Verdict(null, r);
    }
}
