package io.nanofleet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.ChannelSummary;
import io.nanofleet.protocols.v1.TelemetryBatch;
import io.nanofleet.server.broker.EmbeddedBroker;
import io.nanofleet.server.ingest.IngestCounters;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input through the real server: replayed, unknown and expired enrollment tokens, malformed
 * enrollment requests, invalid API tokens, malformed and oversized device messages. Each is refused
 * with a clear reason, counted in /metrics (by reason, never by device), and leaves nothing stored.
 */
class BadInputIT {
    @TempDir
    static Path dataDir;
    static FleetServer server;

    @BeforeAll
    static void start() {
        server = new FleetServer(ServerConfig.builder().onlineTargetsKey(true).httpHost("127.0.0.1").httpPort(0).mqttHost("127.0.0.1").mqttPort(0)
                .mqttsPort(0).coapPort(0).dataDir(dataDir).build()).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static String url(String path) {
        return "http://127.0.0.1:" + server.httpPort() + path;
    }

    static String metrics() throws Exception {
        Http.Response r = Http.get(url("/metrics"));
        assertEquals(200, r.status());
        return r.body();
    }

    @Test
    void enrollmentRefusalsHaveReasonsAndCounts() throws Exception {
        String token = Http.post(url("/api/v1/enrollment-tokens"), "{\"deviceId\":\"bad-1\",\"ttlSeconds\":600}", server.adminToken())
                .json().getString("token");
        DeviceCerts d = new DeviceCerts("bad-1");
        Http.Response wrongCn = Http.post(url("/api/v1/enroll"), new JsonObject().put("token", token).put("csr", d.csr("someone-else")).encode());
        assertEquals(400, wrongCn.status());
        assertTrue(wrongCn.json().getString("error").contains("does not match"), wrongCn.body());
        Http.Response notPem = Http.post(url("/api/v1/enroll"), new JsonObject().put("token", token).put("csr", "hello").encode());
        assertEquals(400, notPem.status());
        assertEquals(400, Http.post(url("/api/v1/enroll"), "[1,2]").status());
        assertEquals(400, Http.post(url("/api/v1/enroll"), "{\"token\":\"x\"}").status());
        assertTrue(server.store().device("bad-1").isEmpty(), "refused requests store nothing");

        Http.Response ok = Http.post(url("/api/v1/enroll"), new JsonObject().put("token", token).put("csr", d.csr("bad-1")).encode());
        assertEquals(200, ok.status(), "a bad CSR does not burn the token: " + ok.body());
        Http.Response replay = Http.post(url("/api/v1/enroll"), new JsonObject().put("token", token).put("csr", d.csr("bad-1")).encode());
        assertEquals(409, replay.status());
        assertTrue(replay.json().getString("error").contains("already used"), replay.body());
        Http.Response unknown = Http.post(url("/api/v1/enroll"), new JsonObject().put("token", "forged").put("csr", d.csr("bad-1")).encode());
        assertEquals(401, unknown.status());
        Http.Response badTtl = Http.post(url("/api/v1/enrollment-tokens"), "{\"deviceId\":\"x\",\"ttlSeconds\":-5}", server.adminToken());
        assertEquals(400, badTtl.status());
        Http.Response badId = Http.post(url("/api/v1/enrollment-tokens"), "{\"deviceId\":\"a/b#\"}", server.adminToken());
        assertEquals(400, badId.status(), badId.body());

        String m = metrics();
        assertTrue(m.contains("nanofleet_rejected_total{reason=\"token_used\",source=\"enroll\"} 1.0"), m);
        assertTrue(m.contains("nanofleet_rejected_total{reason=\"unknown_token\",source=\"enroll\"} 1.0"), m);
        assertTrue(m.contains("nanofleet_rejected_total{reason=\"bad_csr\",source=\"enroll\"} 2.0"), m);
        assertTrue(m.contains("nanofleet_rejected_total{reason=\"bad_request\",source=\"enroll\"} 2.0"), m);
    }

    @Test
    void anEnrolledDeviceIdCannotBeUsedOnThePlainListener() throws Exception {
        String token = Http.post(url("/api/v1/enrollment-tokens"), "{\"deviceId\":\"tls-only-1\"}", server.adminToken())
                .json().getString("token");
        DeviceCerts d = new DeviceCerts("tls-only-1");
        assertEquals(200, Http.post(url("/api/v1/enroll"), new JsonObject().put("token", token).put("csr", d.csr("tls-only-1")).encode())
                .status());
        MqttAsyncClient impostor = new MqttAsyncClient(server.brokerUri(), "tls-only-1", new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setAutomaticReconnect(false);
        MqttException e = org.junit.jupiter.api.Assertions.assertThrows(MqttException.class,
                () -> impostor.connect(o).waitForCompletion(20_000));
        assertEquals(0x87, e.getReasonCode(), e.toString());
        impostor.close();
        assertTrue(metrics().contains("nanofleet_rejected_total{reason=\"enrolled_on_plain\",source=\"broker\"} 1.0"));
    }

    @Test
    void invalidApiTokensAreCounted() throws Exception {
        assertEquals(401, Http.get(url("/api/v1/devices"), "nft_garbage").status());
        assertEquals(401, Http.get(url("/api/v1/devices"), null).status());
        String m = metrics();
        assertTrue(m.matches("(?s).*nanofleet_rejected_total\\{reason=\"invalid_token\",source=\"api\"} [1-9].*"), m);
        assertTrue(m.matches("(?s).*nanofleet_rejected_total\\{reason=\"missing_token\",source=\"api\"} [1-9].*"), m);
    }

    @Test
    void malformedAndOversizedDeviceMessagesAreRejectedAndNothingStored() throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(server.brokerUri(), "noisy-1", new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setAutomaticReconnect(false);
        c.connect(o).waitForCompletion(20_000);
        c.publish(Topics.telemetry("noisy-1"), new MqttMessage(new byte[] {1, 2, 3, 4, 5})).waitForCompletion(10_000);
        // Over the codec's 64 KiB telemetry limit but under the broker's packet limit: the server rejects it.
        byte[] big = Codecs.TELEMETRY.encode(TelemetryBatch.newBuilder().setDeviceId("noisy-1").setSequence(1)
                .addChannels(ChannelSummary.newBuilder().setChannel("x".repeat(100)).setCount(1)).build());
        byte[] padded = new byte[100 * 1024];
        System.arraycopy(big, 0, padded, 0, big.length);
        c.publish(Topics.telemetry("noisy-1"), new MqttMessage(padded)).waitForCompletion(10_000);
        Await.until(Duration.ofSeconds(20), "malformed and oversized rejects",
                () -> server.gateway().counters().rejectedCount(IngestCounters.Reject.MALFORMED)
                        + server.gateway().counters().rejectedCount(IngestCounters.Reject.TRUNCATED)
                        + server.gateway().counters().rejectedCount(IngestCounters.Reject.OVERSIZED), n -> n >= 2);
        assertTrue(server.gateway().counters().rejectedCount(IngestCounters.Reject.OVERSIZED) >= 1);

        // Over the broker's packet limit: HiveMQ closes the connection; the message is gone before it reaches us.
        boolean refused;
        try {
            c.publish(Topics.telemetry("noisy-1"), new MqttMessage(new byte[EmbeddedBroker.MAX_PACKET_BYTES + 10]))
                    .waitForCompletion(10_000);
            refused = false;
        } catch (MqttException e) {
            refused = true;
        }
        // Paho refuses to send a packet over the broker's announced Maximum Packet Size, or the broker disconnects.
        assertTrue(refused || !c.isConnected(), "a packet over the broker's limit must not be accepted");
        assertTrue(server.writer().flush(10_000));
        assertEquals(0, server.store().summaries("noisy-1", 10).size(), "nothing from the bad messages is stored");
        if (c.isConnected()) {
            c.disconnectForcibly(1000);
        }
        c.close();

        String m = metrics();
        assertTrue(m.matches("(?s).*nanofleet_mqtt_messages_rejected_total\\{reason=\"oversized\"} [1-9].*"), m);
        assertFalse(m.contains("noisy-1"), "no device ids in metric labels");
    }
}
