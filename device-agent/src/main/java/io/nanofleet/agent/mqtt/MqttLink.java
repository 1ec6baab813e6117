package io.nanofleet.agent.mqtt;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.eclipse.paho.mqttv5.client.DisconnectedBufferOptions;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * The agent's MQTT 5 connection (Eclipse Paho): last will, automatic reconnect, and a hook that runs
 * after every (re)connect so the agent can resubscribe and republish its retained state.
 */
public final class MqttLink implements AutoCloseable {
    /** Connection settings. */
    public record Settings(String brokerUri, String clientId, int keepAliveSeconds, long connectTimeoutMs) {
        public Settings {
            Objects.requireNonNull(brokerUri, "brokerUri");
            Objects.requireNonNull(clientId, "clientId");
        }

        public static Settings of(String brokerUri, String clientId) {
            return new Settings(brokerUri, clientId, 30, 10_000);
        }
    }

    /** Called after the first connect and after every automatic reconnect. */
    public interface ConnectListener {
        void connected(boolean reconnect) throws MqttException;
    }

    private final Settings settings;
    private final MqttAsyncClient client;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong publishFailures = new AtomicLong();
    private volatile BiConsumer<String, MqttMessage> messageHandler = (t, m) -> {};
    private volatile ConnectListener connectListener = r -> {};

    public MqttLink(Settings settings) throws MqttException {
        this.settings = settings;
        // Messages are in memory here; the disk-backed store-and-forward queue sits in front of this link.
        this.client = new MqttAsyncClient(settings.brokerUri(), settings.clientId(), new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {}

            @Override
            public void mqttErrorOccurred(MqttException exception) {}

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                messageHandler.accept(topic, message);
            }

            @Override
            public void deliveryComplete(IMqttToken token) {}

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
                if (reconnect) {
                    try {
                        connectListener.connected(true);
                    } catch (MqttException e) {
                        publishFailures.incrementAndGet();
                    }
                }
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {}
        });
    }

    public void onMessage(BiConsumer<String, MqttMessage> handler) {
        this.messageHandler = handler;
    }

    public void onConnect(ConnectListener listener) {
        this.connectListener = listener;
    }

    /** Connects, blocking until connected or the connect timeout passes. */
    public void connect(String willTopic, byte[] willPayload) throws MqttException {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setAutomaticReconnect(true);
        options.setAutomaticReconnectDelay(1, 30);
        options.setKeepAliveInterval(settings.keepAliveSeconds());
        options.setConnectionTimeout((int) Math.max(1, settings.connectTimeoutMs() / 1000));
        MqttMessage will = new MqttMessage(willPayload, 1, true, null);
        options.setWill(willTopic, will);
        client.connect(options).waitForCompletion(settings.connectTimeoutMs());
        DisconnectedBufferOptions buffer = new DisconnectedBufferOptions();
        buffer.setBufferEnabled(true);
        buffer.setBufferSize(10_000);
        buffer.setDeleteOldestMessages(true);
        client.setBufferOpts(buffer);
        connectListener.connected(false);
    }

    public boolean isConnected() {
        return client.isConnected();
    }

    public void subscribe(String topic, int qos) throws MqttException {
        client.subscribe(topic, qos).waitForCompletion(settings.connectTimeoutMs());
    }

    /** Publishes without blocking; failures are counted, not thrown, so a sampling loop never dies. */
    public void publish(String topic, byte[] payload, int qos, boolean retained) {
        try {
            client.publish(topic, payload, qos, retained);
            published.incrementAndGet();
        } catch (MqttException e) {
            publishFailures.incrementAndGet();
        }
    }

    /** Publishes and waits for the broker's acknowledgement (QoS 1) or the timeout. */
    public void publishAndWait(String topic, byte[] payload, int qos, boolean retained, long timeoutMs) throws MqttException {
        client.publish(topic, payload, qos, retained).waitForCompletion(timeoutMs);
        published.incrementAndGet();
    }

    public long publishedCount() {
        return published.get();
    }

    public long publishFailureCount() {
        return publishFailures.get();
    }

    /**
     * Drops the TCP connection without an MQTT DISCONNECT, exactly as a power cut or network loss
     * looks to the broker, which therefore publishes the last will.
     */
    public void dropConnection() {
        try {
            client.disconnectForcibly(0, 1000, false);
        } catch (MqttException ignored) {
            // already gone
        }
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(2000).waitForCompletion(3000);
            }
        } catch (MqttException ignored) {
            // closing anyway
        }
        try {
            client.close(true);
        } catch (MqttException ignored) {
            // nothing more to release
        }
    }
}
