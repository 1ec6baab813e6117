package io.nanofleet.server.broker;

import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission;
import com.hivemq.extension.sdk.api.packets.auth.DefaultAuthorizationBehaviour;
import com.hivemq.extension.sdk.api.packets.auth.ModifiableDefaultPermissions;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import io.nanofleet.protocols.Channel;
import io.nanofleet.protocols.Topics;
import java.util.List;

/**
 * The topic ACL of one device (ARCHITECTURE "MQTT over TLS"): publish only to its own
 * state/telemetry/events/ask, subscribe only to its own cmd/ota/answers; everything else denied.
 * HiveMQ applies these permissions to publishes, subscriptions and the last will alike.
 */
public final class DeviceAcl {
    private DeviceAcl() {}

    public static List<String> publishTopics(String deviceId) {
        return List.of(Topics.state(deviceId), Topics.telemetry(deviceId), Topics.events(deviceId), Topics.ask(deviceId));
    }

    public static List<String> subscribeTopics(String deviceId) {
        return List.of(Topics.cmd(deviceId), Topics.ota(deviceId), Topics.answers(deviceId));
    }

    static void apply(String deviceId, ModifiableDefaultPermissions permissions) {
        permissions.clear();
        for (String t : publishTopics(deviceId)) {
            permissions.add(Builders.topicPermission().topicFilter(t).type(TopicPermission.PermissionType.ALLOW)
                    .activity(TopicPermission.MqttActivity.PUBLISH).build());
        }
        for (String t : subscribeTopics(deviceId)) {
            permissions.add(Builders.topicPermission().topicFilter(t).type(TopicPermission.PermissionType.ALLOW)
                    .activity(TopicPermission.MqttActivity.SUBSCRIBE)
                    .sharedSubscription(TopicPermission.SharedSubscription.NOT_SHARED).build());
        }
        permissions.setDefaultBehaviour(DefaultAuthorizationBehaviour.DENY);
    }

    /** Null if the will topic is allowed (none, or the device's own state topic). */
    static String willRefusal(String deviceId, String willTopic) {
        if (willTopic == null || willTopic.equals(Topics.topic(deviceId, Channel.STATE))) {
            return null;
        }
        return "the last will must be on " + Topics.state(deviceId) + ", not " + willTopic;
    }
}
