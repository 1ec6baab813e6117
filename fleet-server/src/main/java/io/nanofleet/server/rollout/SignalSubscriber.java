package io.nanofleet.server.rollout;

import io.nanofleet.protocols.Channel;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.DeviceAddress;
import io.nanofleet.protocols.InvalidAddressException;
import io.nanofleet.protocols.PayloadException;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.server.ingest.ServerMqttClient;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttSubscription;

/**
 * Feeds {@link DeviceHealthLog} from the broker: every device's state and events, through plain (not
 * shared) subscriptions, because the instance that drives rollouts must see every device's signals,
 * not the share the ingest path gets. Payloads that do not decode, or name another device than their
 * topic, are ignored here: the ingest path already counts and logs them.
 */
public final class SignalSubscriber implements AutoCloseable {
    private final ServerMqttClient mqtt;
    private final DeviceHealthLog log;

    public SignalSubscriber(String brokerUri, DeviceHealthLog log) {
        this(brokerUri, o -> { }, log);
    }

    /** {@code brokerAuth} adds the server's broker credentials (user/password, TLS) to the connection. */
    public SignalSubscriber(String brokerUri, Consumer<MqttConnectionOptions> brokerAuth, DeviceHealthLog log) {
        this.log = log;
        this.mqtt = new ServerMqttClient("rollout engine", "nanofleet-rollout-", brokerUri, brokerAuth, this::accept,
                new MqttSubscription(Topics.allDevices(Channel.STATE), 1),
                new MqttSubscription(Topics.allDevices(Channel.EVENTS), 1));
    }

    public SignalSubscriber start() {
        mqtt.start();
        return this;
    }

    void accept(String topic, byte[] payload) {
        try {
            DeviceAddress a = Topics.parse(topic);
            if (a.channel() == Channel.STATE && payload.length > 0) {
                DeviceState s = Codecs.STATE.decode(payload);
                if (s.getDeviceId().equals(a.deviceId())) {
                    log.onState(s);
                }
            } else if (a.channel() == Channel.EVENTS) {
                Event e = Codecs.EVENT.decode(payload);
                if (e.getDeviceId().equals(a.deviceId())) {
                    log.onEvent(e);
                }
            }
        } catch (InvalidAddressException | PayloadException e) {
            // counted by the ingest path
        }
    }

    @Override
    public void close() {
        mqtt.close();
    }
}
