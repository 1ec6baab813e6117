package io.nanofleet.server.ingest;

import io.nanofleet.server.StartupException;
import io.nanofleet.protocols.Channel;
import io.nanofleet.protocols.Topics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * The server's one MQTT connection to an external broker: takes device uplinks for the ingest step
 * ({@link DeviceGateway}) and publishes downlinks ({@link Downlinks.Transport}, answers with their correlation data). Subscriptions, each with
 * its MQTT 5 subscription identifier so a message tells which one delivered it:
 * <ul>
 *   <li>state, not shared: every instance should know every device's state, and only a non-shared
 *       subscription receives the retained states at start-up ({@link DeviceMessage.Delivery#ONLY});</li>
 *   <li>telemetry, events and queries (ask) through {@code $share/nanofleet/...}: N instances split the load
 *       ({@link DeviceMessage.Delivery#SHARE}); a query's MQTT 5 response topic and correlation data go along
 *       ({@link AskReply.Mqtt}), so whichever instance gets it answers it;</li>
 *   <li>events, not shared: the instance that drives rollouts must see every device's signals
 *       ({@link DeviceMessage.Delivery#OBSERVED});</li>
 *   <li>optionally cmd and ota, not shared: what any instance sends, for this instance's CoAP observers.</li>
 * </ul>
 * It subscribes again after every automatic reconnect, because a clean-start session forgets its
 * subscriptions. Messages arrive through the client-wide callback: Paho's per-subscription listeners do
 * not match {@code $share/...} filters.
 */
public final class ServerMqttClient implements Downlinks.Transport, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerMqttClient.class);
    static final int STATE = 1;
    static final int SHARED_UPLINKS = 2;
    static final int OBSERVED_EVENTS = 3;
    static final int DOWNLINK_ECHO = 4;

    private final MqttAsyncClient client;
    private final Consumer<MqttConnectionOptions> credentials;
    private final Map<Integer, MqttSubscription[]> subscriptions = new LinkedHashMap<>();
    private final DeviceGateway gateway;
    private final boolean echoDownlinks;
    private volatile Downlinks downlinks;

    /**
     * @param credentials   adds the server's user/password and TLS to the connect options
     * @param echoDownlinks also subscribe to every device's cmd and ota topics (for {@link Downlinks#delivered})
     */
    public ServerMqttClient(BrokerConnection connection, DeviceGateway gateway, boolean echoDownlinks) {
        this.credentials = connection::applyTo;
        this.gateway = gateway;
        this.echoDownlinks = echoDownlinks;
        subscriptions.put(STATE, new MqttSubscription[] {new MqttSubscription(Topics.allDevices(Channel.STATE), 1)});
        subscriptions.put(SHARED_UPLINKS, new MqttSubscription[] {new MqttSubscription(Topics.shared(Channel.TELEMETRY), 1),
                new MqttSubscription(Topics.shared(Channel.EVENTS), 1), new MqttSubscription(Topics.shared(Channel.ASK), 1)});
        subscriptions.put(OBSERVED_EVENTS, new MqttSubscription[] {new MqttSubscription(Topics.allDevices(Channel.EVENTS), 1)});
        if (echoDownlinks) {
            subscriptions.put(DOWNLINK_ECHO, new MqttSubscription[] {new MqttSubscription(Topics.allDevices(Channel.CMD), 1),
                    new MqttSubscription(Topics.allDevices(Channel.OTA), 1)});
        }
        String brokerUri = connection.uri();
        try {
            this.client = new MqttAsyncClient(brokerUri, "nanofleet-server-" + UUID.randomUUID(), new MemoryPersistence());
        } catch (MqttException | IllegalArgumentException e) {
            throw new StartupException("invalid broker address " + brokerUri + ": " + e.getMessage()
                    + ". Use --broker mqtt://host:port or mqtts://host:port.", e);
        }
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse r) {
                LOG.warn("the server's MQTT client lost the broker connection ({}); reconnecting", r.getReasonString());
            }

            @Override
            public void mqttErrorOccurred(MqttException e) {
                LOG.warn("MQTT error: {}", e.getMessage());
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                route(topic, message);
            }

            @Override
            public void deliveryComplete(IMqttToken token) {}

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
                if (reconnect) {
                    try {
                        subscribe();
                    } catch (MqttException e) {
                        LOG.error("could not resubscribe after reconnecting: {}", e.getMessage());
                    }
                }
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {}
        });
    }

    /** Where echoed downlinks go (set before {@link #start()} when echoing). */
    public void downlinks(Downlinks downlinks) {
        this.downlinks = downlinks;
    }

    private void route(String topic, MqttMessage message) {
        List<Integer> ids = message.getProperties() == null ? List.of() : message.getProperties().getSubscriptionIdentifiers();
        if (ids.contains(DOWNLINK_ECHO)) {
            Downlinks d = downlinks;
            if (d != null) {
                d.delivered(topic, message.getPayload());
            }
            return;
        }
        DeviceMessage.Delivery delivery = DeviceMessage.Delivery.of(ids.contains(STATE) || ids.contains(SHARED_UPLINKS),
                ids.contains(STATE) || ids.contains(OBSERVED_EVENTS));
        if (delivery != null) {
            MqttProperties p = message.getProperties();
            AskReply reply = p == null ? AskReply.DEFAULT : new AskReply.Mqtt(p.getResponseTopic(), p.getCorrelationData());
            gateway.handle(topic, message.getPayload(), delivery, reply);
        }
    }

    @Override
    public boolean echoes() {
        return echoDownlinks;
    }

    @Override
    public void publish(String topic, byte[] payload, boolean retained, byte[] correlationData) throws MqttException {
        MqttProperties properties = new MqttProperties();
        if (correlationData != null) {
            properties.setCorrelationData(correlationData);
        }
        MqttMessage message = new MqttMessage(payload, 1, retained, properties);
        // Waits for the broker's ack: brokers cap QoS 1 messages in flight (HiveMQ: 10), and a rollout
        // wave publishes many assignments back to back.
        client.publish(topic, message).waitForCompletion(15_000);
    }

    /** Connects and subscribes, or fails with a message naming the flag to check. */
    public ServerMqttClient start() {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setAutomaticReconnect(true);
        options.setAutomaticReconnectDelay(1, 10);
        options.setKeepAliveInterval(30);
        options.setReceiveMaximum(65535);
        credentials.accept(options);
        options.setSocketFactory(NoDelaySockets.wrap(options.getSocketFactory()));
        try {
            client.connect(options).waitForCompletion(15_000);
            subscribe();
        } catch (MqttException e) {
            throw new StartupException("the server's MQTT client cannot connect to the MQTT broker " + client.getServerURI() + ": "
                    + e.getMessage() + ". Check that it runs and speaks MQTT 5, or change --broker.", e);
        }
        return this;
    }

    private void subscribe() throws MqttException {
        for (Map.Entry<Integer, MqttSubscription[]> e : subscriptions.entrySet()) {
            MqttProperties p = new MqttProperties();
            p.setSubscriptionIdentifier(e.getKey());
            client.subscribe(e.getValue(), null, null, p).waitForCompletion(15_000);
        }
    }

    public boolean isConnected() {
        return client.isConnected();
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
