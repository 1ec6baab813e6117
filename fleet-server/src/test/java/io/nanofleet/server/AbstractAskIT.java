package io.nanofleet.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.Answer;
import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.Query;
import io.nanofleet.server.ask.FleetDataAnswerer;
import io.nanofleet.server.ask.ResponseTopics;
import io.nanofleet.server.ingest.IngestCounters;
import io.nanofleet.server.store.DeviceRow;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One question from a device, over a real broker: enrolled Paho MQTT 5 devices publish a Query on their ask
 * topic with a response topic and correlation data and get the Answer there, with the same correlation data;
 * a response topic of another device gets nothing published on it; a malformed query is a counted reject with
 * no answer, and the device's connection stays up. The variants differ in the broker and how devices connect.
 */
abstract class AbstractAskIT {
    @TempDir
    Path dataDir;

    /** Unique per run: an external broker is shared with other runs. */
    final String prefix = "ask-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    final List<Device> devices = new ArrayList<>();
    FleetServer server;

    abstract ServerConfig.Builder config(ServerConfig.Builder b);

    /** Where an enrolled device connects, and with which options (TLS with its certificate, or plain). */
    abstract String deviceUri();

    abstract MqttConnectionOptions options(DeviceCerts certs);

    @AfterEach
    void tearDown() {
        devices.forEach(Device::close);
        if (server != null) {
            server.close();
        }
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.httpPort() + path;
    }

    Device enrollAndConnect(String deviceId) throws Exception {
        Http.Response token = Http.post(url("/api/v1/enrollment-tokens"), new JsonObject().put("deviceId", deviceId).put("ttlSeconds", 600)
                .encode(), server.adminToken());
        assertEquals(201, token.status(), token.body());
        DeviceCerts certs = new DeviceCerts(deviceId);
        Http.Response enrolled = Http.post(url("/api/v1/enroll"), new JsonObject().put("token", token.json().getString("token"))
                .put("csr", certs.csr(deviceId)).put("hardwareId", "test-hw").put("agentVersion", "test").encode());
        assertEquals(200, enrolled.status(), enrolled.body());
        certs.enrolled(enrolled.json());
        Device d = new Device(deviceId, deviceUri(), options(certs));
        devices.add(d);
        return d;
    }

    static Query query(String deviceId, String queryId, String text) {
        return Query.newBuilder().setDeviceId(deviceId).setQueryId(queryId).setTimestampMs(System.currentTimeMillis()).setText(text)
                .setLocalIntent("agent_status").setLocalConfidence(0.31f).putContext("screen", "console").build();
    }

    static byte[] correlation() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return b;
    }

    @Test
    void aQueryIsAnsweredOnItsResponseTopicWithItsCorrelationDataAndOnlyInsideTheDevicesSubtree() throws Exception {
        server = new FleetServer(config(ServerConfig.builder().onlineTargetsKey(true).mqttHost("127.0.0.1").mqttsPort(0).coapPort(0)
                .httpHost("127.0.0.1").httpPort(0).dataDir(dataDir)).build()).start();
        String a = prefix + "a";
        String b = prefix + "b";
        Device asker = enrollAndConnect(a);
        Device other = enrollAndConnect(b);
        asker.publish(Topics.state(a), Codecs.STATE.encode(DeviceState.newBuilder().setDeviceId(a).setStatus(DeviceState.Status.ONLINE)
                .setAgentVersion("0.1.0").setHardwareId("test-hw").build()), null, null);
        Await.until(Duration.ofSeconds(20), a + " online", () -> server.store().device(a).map(DeviceRow::online).orElse(false), on -> on);

        // 1. A question the fleet data answers: on the response topic, with the same correlation data, QoS 1.
        byte[] c1 = correlation();
        int accepted = asker.publish(Topics.ask(a), Codecs.QUERY.encode(query(a, "q-1", "what is my status?")), Topics.answers(a), c1);
        assertTrue(accepted < 0x80, "a success PUBACK (0x10 'no matching subscribers' counts), got " + accepted);
        Received r1 = asker.next();
        assertArrayEquals(c1, r1.correlationData());
        assertEquals(1, r1.qos());
        assertTrue(r1.answer().getOk(), r1.answer().toString());
        assertEquals("q-1", r1.answer().getQueryId());
        assertEquals(a, r1.answer().getDeviceId());
        assertEquals("fleet", r1.answer().getSource());
        assertTrue(r1.answer().getText().startsWith(a + " is online"), r1.answer().getText());

        // 2. One it cannot answer without a model: ok=false with the placeholder's error, still an answer.
        byte[] c2 = correlation();
        asker.publish(Topics.ask(a), Codecs.QUERY.encode(query(a, "q-2", "why does the pump vibrate")), Topics.answers(a), c2);
        Received r2 = asker.next();
        assertArrayEquals(c2, r2.correlationData());
        assertFalse(r2.answer().getOk());
        assertEquals(FleetDataAnswerer.NO_MODEL, r2.answer().getError());

        // 3. A response topic of another device: refused, nothing is published there.
        asker.publish(Topics.ask(a), Codecs.QUERY.encode(query(a, "q-3", "status")), Topics.answers(b), correlation());
        Await.until(Duration.ofSeconds(20), "the refusal counted",
                () -> server.responder().counters().refusedCount(ResponseTopics.Refusal.OUTSIDE_SUBTREE), n -> n == 1);

        // 4. A malformed query: a counted reject, no answer, and the connection stays up.
        long malformedBefore = rejects(IngestCounters.Reject.MALFORMED) + rejects(IngestCounters.Reject.TRUNCATED);
        int code = asker.publish(Topics.ask(a), new byte[] {0x0a, 0x05, 0x01}, Topics.answers(a), correlation());
        malformedRefusal(code);
        Await.until(Duration.ofSeconds(20), "the malformed query counted",
                () -> rejects(IngestCounters.Reject.MALFORMED) + rejects(IngestCounters.Reject.TRUNCATED), n -> n == malformedBefore + 1);
        assertTrue(asker.client.isConnected(), "a malformed query does not cost the device its connection");

        // The same connection asks again and is answered; by then neither the malformed query nor the one with
        // the other device's response topic has produced anything anywhere.
        byte[] c5 = correlation();
        asker.publish(Topics.ask(a), Codecs.QUERY.encode(query(a, "q-5", "summary")), null, c5);
        Received r5 = asker.next();
        assertArrayEquals(c5, r5.correlationData(), "no response topic: answered on " + Topics.answers(a));
        assertEquals("q-5", r5.answer().getQueryId());
        assertNull(asker.answers.poll(500, TimeUnit.MILLISECONDS), "one answer per accepted query, none for the malformed one");
        assertNull(other.answers.poll(500, TimeUnit.MILLISECONDS), "nothing published on the other device's answers topic");

        // 5. Counted in /metrics, without device labels.
        String metrics = Http.get(url("/metrics")).body();
        assertMetric(metrics, "nanofleet_ask_queries_total", 4);
        assertMetric(metrics, "nanofleet_ask_answers_total{ok=\"true\"}", 2);
        assertMetric(metrics, "nanofleet_ask_answers_total{ok=\"false\"}", 1);
        assertMetric(metrics, "nanofleet_ask_refused_total{reason=\"outside_subtree\"}", 1);
        assertFalse(metrics.contains(a), "no per-device labels");
    }

    /** How the broker answers the malformed query's PUBLISH (the embedded one refuses it; Mosquitto takes it). */
    abstract void malformedRefusal(int pubackCode);

    long rejects(IngestCounters.Reject r) {
        return server.gateway().counters().rejectedCount(r);
    }

    static void assertMetric(String text, String series, double value) {
        var m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        assertTrue(m.find(), series + " missing in /metrics:\n" + text);
        assertEquals(value, Double.parseDouble(m.group(1)), series);
    }

    record Received(Answer answer, byte[] correlationData, int qos) {}

    /** An enrolled device as a bare Paho MQTT 5 client, subscribed to its answers topic. */
    static final class Device implements AutoCloseable {
        final String id;
        final MqttAsyncClient client;
        final BlockingQueue<MqttMessage> answers = new LinkedBlockingQueue<>();

        Device(String id, String uri, MqttConnectionOptions options) throws Exception {
            this.id = id;
            client = new MqttAsyncClient(uri, id, new MemoryPersistence());
            client.connect(options).waitForCompletion(20_000);
            IMqttToken sub = client.subscribe(new MqttSubscription[] {new MqttSubscription(Topics.answers(id), 1)}, null, null,
                    new IMqttMessageListener[] {(topic, m) -> answers.add(m)}, new MqttProperties());
            sub.waitForCompletion(10_000);
            assertEquals(1, sub.getReasonCodes()[0], "its own answers topic is granted at QoS 1");
        }

        /** QoS 1 publish with MQTT 5 response topic and correlation data (each optional); the PUBACK's reason code. */
        int publish(String topic, byte[] payload, String responseTopic, byte[] correlationData) throws MqttException {
            MqttProperties p = new MqttProperties();
            if (responseTopic != null) {
                p.setResponseTopic(responseTopic);
            }
            if (correlationData != null) {
                p.setCorrelationData(correlationData);
            }
            MqttMessage m = new MqttMessage(payload, 1, false, p);
            try {
                IMqttToken t = client.publish(topic, m);
                t.waitForCompletion(10_000);
                return t.getReasonCodes() == null || t.getReasonCodes().length == 0 ? 0 : t.getReasonCodes()[0];
            } catch (MqttException e) {
                return e.getReasonCode();
            }
        }

        Received next() throws Exception {
            MqttMessage m = answers.poll(20, TimeUnit.SECONDS);
            assertNotNull(m, id + " got no answer");
            return new Received(Codecs.ANSWER.decode(m.getPayload()),
                    m.getProperties() == null ? null : m.getProperties().getCorrelationData(), m.getQos());
        }

        @Override
        public void close() {
            try {
                if (client.isConnected()) {
                    client.disconnect().waitForCompletion(5000);
                }
                client.close();
            } catch (MqttException e) {
                // closing
            }
        }
    }
}
