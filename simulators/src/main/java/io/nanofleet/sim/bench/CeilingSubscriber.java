package io.nanofleet.sim.bench;

import io.nanofleet.protocols.Channel;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.TelemetryBatch;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * The ceiling: a plain subscriber on the broker that only decodes and counts what the same load
 * publishes, with the same publish-to-here latency measure. No storage, no server logic.
 */
final class CeilingSubscriber implements AutoCloseable {
    private final MqttClient client;
    final AtomicLong received = new AtomicLong();
    private final Latencies latencies = new Latencies();
    private volatile boolean measuring;

    CeilingSubscriber(String uri, String prefix) throws MqttException {
        client = new MqttClient(uri, "bench-ceiling-" + UUID.randomUUID(), new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse r) {}

            @Override
            public void mqttErrorOccurred(MqttException e) {}

            @Override
            public void messageArrived(String topic, MqttMessage m) throws Exception {
                TelemetryBatch b = Codecs.TELEMETRY.decode(m.getPayload());
                received.incrementAndGet();
                if (measuring) {
                    synchronized (latencies) {
                        latencies.add(System.currentTimeMillis() - b.getWindowEndMs());
                    }
                }
            }

            @Override
            public void deliveryComplete(IMqttToken t) {}

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {}

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {}
        });
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setReceiveMaximum(65535);
        client.connect(o);
        client.subscribe(Topics.ROOT + "+/" + Channel.TELEMETRY.segment(), 1);
    }

    void measuring(boolean on) {
        measuring = on;
    }

    Latencies latencies() {
        synchronized (latencies) {
            return latencies;
        }
    }

    @Override
    public void close() throws MqttException {
        client.disconnect();
        client.close();
    }
}
