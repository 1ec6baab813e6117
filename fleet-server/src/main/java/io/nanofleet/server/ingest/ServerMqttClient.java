package io.nanofleet.server.ingest;

import io.nanofleet.server.StartupException;
import java.util.UUID;
import java.util.function.BiConsumer;
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
 * One of the server's own MQTT connections (device ingest, rollout signals, CoAP downlinks): connects
 * with the server's broker credentials, subscribes, and subscribes again after every automatic
 * reconnect, because a clean-start session forgets its subscriptions. Every message goes to one
 * handler through the client-wide callback: Paho's per-subscription listeners do not match
 * {@code $share/...} filters.
 */
public final class ServerMqttClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerMqttClient.class);

    private final String purpose;
    private final MqttAsyncClient client;
    private final Consumer<MqttConnectionOptions> credentials;
    private final MqttSubscription[] subscriptions;

    /**
     * @param purpose       what this connection is for, in log lines and errors ("device ingest")
     * @param clientIdPrefix prefix of the random client id, so broker logs tell the connections apart
     * @param credentials   adds the server's user/password and TLS to the connect options
     * @param handler       receives (topic, payload) of every message, on Paho's callback thread
     */
    public ServerMqttClient(String purpose, String clientIdPrefix, String brokerUri, Consumer<MqttConnectionOptions> credentials,
                            BiConsumer<String, byte[]> handler, MqttSubscription... subscriptions) {
        this.purpose = purpose;
        this.credentials = credentials;
        this.subscriptions = subscriptions.clone();
        try {
            this.client = new MqttAsyncClient(brokerUri, clientIdPrefix + UUID.randomUUID(), new MemoryPersistence());
        } catch (MqttException | IllegalArgumentException e) {
            throw new StartupException("invalid broker address " + brokerUri + ": " + e.getMessage()
                    + ". Use --broker mqtt://host:port or mqtts://host:port.", e);
        }
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse r) {
                LOG.warn("{} lost the broker connection ({}); reconnecting", purpose, r.getReasonString());
            }

            @Override
            public void mqttErrorOccurred(MqttException e) {
                LOG.warn("{}: MQTT error: {}", purpose, e.getMessage());
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                handler.accept(topic, message.getPayload());
            }

            @Override
            public void deliveryComplete(IMqttToken token) {}

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
                if (reconnect) {
                    try {
                        subscribe();
                    } catch (MqttException e) {
                        LOG.error("{} could not resubscribe after reconnecting: {}", purpose, e.getMessage());
                    }
                }
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {}
        });
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
            throw new StartupException("the " + purpose + " cannot connect to the MQTT broker " + client.getServerURI() + ": "
                    + e.getMessage() + ". Check that it runs and speaks MQTT 5, or change --broker.", e);
        }
        return this;
    }

    private void subscribe() throws MqttException {
        if (subscriptions.length > 0) {
            client.subscribe(subscriptions).waitForCompletion(15_000);
        }
    }

    /** For publishing. */
    public MqttAsyncClient paho() {
        return client;
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
