package io.nanofleet.server.rollout;

import io.nanofleet.protocols.Channel;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.DeviceAddress;
import io.nanofleet.protocols.InvalidAddressException;
import io.nanofleet.protocols.PayloadException;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.server.StartupException;
import java.util.UUID;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds {@link DeviceHealthLog} from the broker: every device's state and events, through plain (not
 * shared) subscriptions, because the instance that drives rollouts must see every device's signals,
 * not the share the ingest path gets. Payloads that do not decode, or name another device than their
 * topic, are ignored here: the ingest path already counts and logs them.
 */
public final class SignalSubscriber implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SignalSubscriber.class);
    private final MqttAsyncClient client;
    private final DeviceHealthLog log;
    private final Consumer<MqttConnectionOptions> brokerAuth;

    public SignalSubscriber(String brokerUri, DeviceHealthLog log) {
        this(brokerUri, o -> { }, log);
    }

    /** {@code brokerAuth} adds the server's broker credentials (user/password, TLS) to the connection. */
    public SignalSubscriber(String brokerUri, Consumer<MqttConnectionOptions> brokerAuth, DeviceHealthLog log) {
        this.log = log;
        this.brokerAuth = brokerAuth;
        try {
            client = new MqttAsyncClient(brokerUri, "nanofleet-rollout-" + UUID.randomUUID(), new MemoryPersistence());
        } catch (MqttException e) {
            throw new StartupException("invalid broker address " + brokerUri + ": " + e.getMessage(), e);
        }
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse r) {
                LOG.warn("rollout signals lost the broker ({}); reconnecting", r.getReasonString());
            }

            @Override
            public void mqttErrorOccurred(MqttException e) {
                LOG.warn("rollout signals MQTT error: {}", e.getMessage());
            }

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                accept(topic, m.getPayload());
            }

            @Override
            public void deliveryComplete(IMqttToken token) {}

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
                if (reconnect) {
                    try {
                        subscribe();
                    } catch (MqttException e) {
                        LOG.error("rollout signals could not resubscribe: {}", e.getMessage());
                    }
                }
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {}
        });
    }

    public SignalSubscriber start() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setAutomaticReconnect(true);
        o.setAutomaticReconnectDelay(1, 10);
        o.setReceiveMaximum(65535);
        brokerAuth.accept(o);
        try {
            client.connect(o).waitForCompletion(15_000);
            subscribe();
        } catch (MqttException e) {
            throw new StartupException("the rollout engine cannot reach the MQTT broker " + client.getServerURI() + ": "
                    + e.getMessage() + ". Check --broker.", e);
        }
        return this;
    }

    private void subscribe() throws MqttException {
        client.subscribe(new MqttSubscription[] {
            new MqttSubscription(Topics.allDevices(Channel.STATE), 1),
            new MqttSubscription(Topics.allDevices(Channel.EVENTS), 1),
        }).waitForCompletion(15_000);
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
        try {
            if (client.isConnected()) {
                client.disconnect(2000).waitForCompletion(3000);
            }
            client.close(true);
        } catch (MqttException e) {
            // shutting down
        }
    }
}
