package io.nanofleet.agent.testing;

import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.TelemetryBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
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
 * The server's view in agent tests: a Paho client that records everything a device publishes,
 * deduplicates by sequence the way the server does, and checks that nothing arrives with two contents.
 */
public final class Recorder implements AutoCloseable {
    private final MqttAsyncClient client;
    private final String deviceId;
    private final List<Long> arrivals = new ArrayList<>();
    private final Map<Long, byte[]> bySequence = new LinkedHashMap<>();
    private final List<Event> events = new ArrayList<>();
    private final List<TelemetryBatch> telemetry = new ArrayList<>();
    private final List<DeviceState> states = new ArrayList<>();
    private final List<String> conflicts = new ArrayList<>();

    /** A recorder that continues {@code before}'s record (same sequences seen), e.g. after a broker restart. */
    public Recorder(String brokerUrl, String deviceId, Recorder before) throws MqttException {
        this(brokerUrl, deviceId);
        synchronized (before) {
            synchronized (this) {
                arrivals.addAll(before.arrivals);
                bySequence.putAll(before.bySequence);
                events.addAll(before.events);
                telemetry.addAll(before.telemetry);
                states.addAll(before.states);
                conflicts.addAll(before.conflicts);
            }
        }
    }

    public Recorder(String brokerUrl, String deviceId) throws MqttException {
        this.deviceId = deviceId;
        this.client = new MqttAsyncClient(brokerUrl, "recorder-" + deviceId, new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse r) {}

            @Override
            public void mqttErrorOccurred(MqttException e) {}

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                record(topic, m.getPayload());
            }

            @Override
            public void deliveryComplete(IMqttToken t) {}

            @Override
            public void connectComplete(boolean reconnect, String uri) {}

            @Override
            public void authPacketArrived(int code, MqttProperties p) {}
        });
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        client.connect(o).waitForCompletion(10_000);
        client.subscribe(Topics.deviceSubtree(deviceId), 1).waitForCompletion(10_000);
    }

    private synchronized void record(String topic, byte[] payload) {
        try {
            if (topic.equals(Topics.state(deviceId))) {
                states.add(Codecs.STATE.decode(payload));
                return;
            }
            long seq;
            if (topic.equals(Topics.telemetry(deviceId))) {
                TelemetryBatch b = Codecs.TELEMETRY.decode(payload);
                seq = b.getSequence();
                if (!bySequence.containsKey(seq)) {
                    telemetry.add(b);
                }
            } else if (topic.equals(Topics.events(deviceId))) {
                Event e = Codecs.EVENT.decode(payload);
                seq = e.getSequence();
                if (!bySequence.containsKey(seq)) {
                    events.add(e);
                }
            } else {
                return;
            }
            arrivals.add(seq);
            byte[] before = bySequence.putIfAbsent(seq, payload);
            if (before != null && !Arrays.equals(before, payload)) {
                conflicts.add("sequence " + seq + " arrived with two different payloads");
            }
        } catch (io.nanofleet.protocols.PayloadException | RuntimeException e) {
            conflicts.add("undecodable payload on " + topic + ": " + e.getMessage());
        }
    }

    /** Distinct sequences in order of first arrival. */
    public synchronized List<Long> firstArrivals() {
        return new ArrayList<>(bySequence.keySet());
    }

    public synchronized int rawArrivals() {
        return arrivals.size();
    }

    public synchronized List<Event> events() {
        return new ArrayList<>(events);
    }

    public synchronized List<TelemetryBatch> telemetry() {
        return new ArrayList<>(telemetry);
    }

    public synchronized List<DeviceState> states() {
        return new ArrayList<>(states);
    }

    public synchronized List<String> conflicts() {
        return new ArrayList<>(conflicts);
    }

    public synchronized long eventsMatching(Predicate<Event> p) {
        return events.stream().filter(p).count();
    }

    public void publish(String topic, byte[] payload) throws MqttException {
        client.publish(topic, payload, 1, false).waitForCompletion(5000);
    }

    public boolean isConnected() {
        return client.isConnected();
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnect().waitForCompletion(3000);
        }
        client.close(true);
    }
}
