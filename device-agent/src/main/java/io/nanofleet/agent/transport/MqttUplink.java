package io.nanofleet.agent.transport;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * MQTT 5 uplink on Eclipse Paho: TLS with the device certificate when the URL is {@code mqtts://} or
 * {@code ssl://}, a persistent session ({@code cleanStart=false} with a session expiry, so commands sent while
 * the device is away wait at the broker), a retained last will, and our own reconnect loop with capped,
 * jittered {@link Backoff} (Paho's built-in reconnect is off: its fixed doubling has no jitter and gives no
 * hook for a fleet-wide policy). Paho keeps in-flight messages only in memory: the disk queue in front of
 * this link is what survives a crash.
 */
public final class MqttUplink implements Uplink {
    /** Connection settings; {@code sslContext} null means plain TCP. */
    public record Settings(String url, String clientId, SSLContext sslContext, int keepAliveSeconds,
                           long sessionExpirySeconds, long connectTimeoutMs, List<String> subscriptions,
                           String willTopic, long reconnectMinMs, long reconnectMaxMs) {
        public Settings {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(clientId, "clientId");
            subscriptions = List.copyOf(subscriptions);
        }
    }

    private final Settings settings;
    private final ScheduledExecutorService scheduler;
    private final Backoff backoff;
    private final MqttAsyncClient client;
    private final AtomicLong failedAttempts = new AtomicLong();
    private volatile Listener listener;
    private volatile boolean stopped;
    private volatile boolean everConnected;
    private volatile boolean connecting;

    public MqttUplink(Settings settings, ScheduledExecutorService scheduler) throws MqttException {
        this.settings = settings;
        this.scheduler = scheduler;
        this.backoff = new Backoff(settings.reconnectMinMs(), settings.reconnectMaxMs(), settings.clientId().hashCode() ^ System.nanoTime());
        this.client = new MqttAsyncClient(pahoUrl(settings.url()), settings.clientId(), new MemoryPersistence());
        client.setCallback(new Callback());
    }

    /** Paho speaks tcp:// and ssl://; operators (and the server's enrollment answer) say mqtt:// and mqtts://. */
    static String pahoUrl(String url) {
        if (url.startsWith("mqtt://")) {
            return "tcp://" + url.substring(7);
        }
        if (url.startsWith("mqtts://")) {
            return "ssl://" + url.substring(8);
        }
        return url;
    }

    public static boolean isTls(String url) {
        return url.startsWith("mqtts://") || url.startsWith("ssl://");
    }

    @Override
    public void start(Listener l) {
        this.listener = l;
        scheduler.execute(this::attempt);
    }

    private void attempt() {
        if (stopped || connecting || client.isConnected()) {
            return;
        }
        connecting = true;
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(settings.sessionExpirySeconds());
        o.setAutomaticReconnect(false);
        o.setKeepAliveInterval(settings.keepAliveSeconds());
        o.setConnectionTimeout((int) Math.max(1, settings.connectTimeoutMs() / 1000));
        if (settings.sslContext() != null) {
            o.setSocketFactory(settings.sslContext().getSocketFactory());
            o.setHttpsHostnameVerificationEnabled(true);
        }
        byte[] will = settings.willTopic() == null ? null : listener.lastWill();
        if (will != null) {
            o.setWill(settings.willTopic(), new MqttMessage(will, 1, true, null));
        }
        try {
            client.connect(o, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    connecting = false;
                    onConnected();
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    connecting = false;
                    failedAttempts.incrementAndGet();
                    scheduleReconnect();
                }
            });
        } catch (MqttException e) {
            connecting = false;
            failedAttempts.incrementAndGet();
            scheduleReconnect();
        }
    }

    private void onConnected() {
        boolean reconnect = everConnected;
        everConnected = true;
        try {
            if (!settings.subscriptions().isEmpty()) {
                MqttSubscription[] subs = settings.subscriptions().stream().map(t -> new MqttSubscription(t, 1))
                        .toArray(MqttSubscription[]::new);
                client.subscribe(subs).waitForCompletion(settings.connectTimeoutMs());
            }
        } catch (MqttException e) {
            failedAttempts.incrementAndGet();
            forceReconnect();
            return;
        }
        backoff.reset();
        Listener l = listener;
        if (l != null) {
            l.connected(reconnect);
        }
    }

    private void forceReconnect() {
        try {
            client.disconnectForcibly(0, 1000, false);
        } catch (MqttException ignored) {
            // already down
        }
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        if (!stopped) {
            scheduler.schedule(this::attempt, backoff.nextDelayMs(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public boolean isConnected() {
        return client.isConnected();
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retained) {
        return send(topic, new MqttMessage(payload, qos, retained, null));
    }

    @Override
    public boolean carriesRequests() {
        return true;
    }

    @Override
    public CompletableFuture<Void> request(String topic, byte[] payload, String responseTopic, byte[] correlationData) {
        MqttProperties p = new MqttProperties();
        p.setResponseTopic(responseTopic);
        p.setCorrelationData(correlationData);
        return send(topic, new MqttMessage(payload, 1, false, p));
    }

    private CompletableFuture<Void> send(String topic, MqttMessage m) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        try {
            client.publish(topic, m, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    f.complete(null);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    f.completeExceptionally(e);
                }
            });
        } catch (MqttException | RuntimeException e) {
            f.completeExceptionally(e);
        }
        return f;
    }

    @Override
    public void dropConnection() {
        stopped = true;
        try {
            client.disconnectForcibly(0, 1000, false);
        } catch (MqttException ignored) {
            // already gone
        }
    }

    @Override
    public long failedAttempts() {
        return failedAttempts.get();
    }

    /** Publishes the given goodbye (if any) and disconnects cleanly: a clean disconnect sends no will. */
    public void closeWith(String topic, byte[] payload, long timeoutMs) {
        if (topic != null && client.isConnected()) {
            try {
                client.publish(topic, new MqttMessage(payload, 1, true, null)).waitForCompletion(timeoutMs);
            } catch (MqttException ignored) {
                // the will covers us
            }
        }
        close();
    }

    @Override
    public void close() {
        stopped = true;
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

    private final class Callback implements MqttCallback {
        @Override
        public void disconnected(MqttDisconnectResponse response) {
            Listener l = listener;
            if (l != null) {
                l.disconnected(String.valueOf(response.getReasonString()));
            }
            scheduleReconnect();
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {}

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            Listener l = listener;
            if (l != null) {
                MqttProperties p = message.getProperties();
                l.message(topic, message.getPayload(), p == null ? null : p.getCorrelationData());
            }
        }

        @Override
        public void deliveryComplete(IMqttToken token) {}

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {}

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {}
    }
}
