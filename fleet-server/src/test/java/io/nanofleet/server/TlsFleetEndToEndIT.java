package io.nanofleet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.agent.DeviceAgent;
import io.nanofleet.agent.enroll.Credentials;
import io.nanofleet.agent.enroll.Enroller;
import io.nanofleet.agent.sensor.SimulatedSensor;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.ChannelSummary;
import io.nanofleet.protocols.v1.TelemetryBatch;
import io.nanofleet.server.store.DeviceRow;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production path, end to end over TLS: an admin issues enrollment tokens, a real agent enrolls
 * with its own enroll code and connects with its client certificate, telemetry is stored, a signed
 * command round-trips, the topic ACL refuses cross-device publishes and subscriptions, and revocation
 * locks the device out (live session ended, next connection refused).
 */
class TlsFleetEndToEndIT {
    @TempDir
    Path dataDir;
    @TempDir
    Path agentDir;

    FleetServer server;
    DeviceAgent agent;

    @AfterEach
    void tearDown() {
        if (agent != null) {
            agent.close();
        }
        if (server != null) {
            server.close();
        }
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.httpPort() + path;
    }

    String enrollmentToken(String deviceId) throws Exception {
        Http.Response r = Http.post(url("/api/v1/enrollment-tokens"), new JsonObject().put("deviceId", deviceId).put("ttlSeconds", 600)
                .put("group", "plant-a").put("tags", new JsonArray().add("pump")).encode(), server.adminToken());
        assertEquals(201, r.status(), r.body());
        return r.json().getString("token");
    }

    JsonObject enroll(String token, String csr) throws Exception {
        Http.Response r = Http.post(url("/api/v1/enroll"), new JsonObject().put("token", token).put("csr", csr)
                .put("hardwareId", "test-hw").put("agentVersion", "test").encode());
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    @Test
    void enrollConnectOverTlsTelemetryCommandAclAndRevocation() throws Exception {
        server = new FleetServer(ServerConfig.builder().onlineTargetsKey(true).httpHost("127.0.0.1").httpPort(0).mqttHost("127.0.0.1")
                .plainMqtt(false).mqttsPort(0).coapPort(0).dataDir(dataDir).build()).start();

        // 1. The agent enrolls with its own code (JDK-made CSR) and keeps its credentials.
        Credentials creds = new Credentials(agentDir);
        Enroller.Result enrolled = new Enroller(null).enroll("http://127.0.0.1:" + server.httpPort(),
                enrollmentToken("pump-1"), "pump-1", "rpi4-arm64", "0.1.0", creds);
        assertEquals("pump-1", enrolled.deviceId());
        assertTrue(enrolled.mqttUrl().startsWith("mqtts://127.0.0.1:"), enrolled.mqttUrl());
        assertEquals(server.commandSigner().keyId(), enrolled.commandKeyId());

        // 2. It connects with its certificate; telemetry is stored.
        agent = DeviceAgent.builder().deviceId("pump-1").broker(enrolled.mqttUrl()).tls(creds.sslContext())
                .commandKey(creds.commandKey()).sensor(new SimulatedSensor(1)).sampleIntervalMs(50).telemetryIntervalMs(300)
                .stateDir(agentDir.resolve("state")).build();
        agent.start();
        Await.until(Duration.ofSeconds(30), "pump-1 online", () -> server.store().device("pump-1").map(DeviceRow::online).orElse(false),
                online -> online);
        Await.until(Duration.ofSeconds(30), "pump-1 summaries", () -> server.store().summaries("pump-1", 10).size(), n -> n >= 2);
        JsonObject dev = Http.get(url("/api/v1/devices/pump-1"), server.adminToken()).json();
        assertEquals("plant-a", dev.getString("group"), dev.encode());
        assertEquals(new JsonArray().add("pump"), dev.getJsonArray("tags"));

        // 3. A signed command round-trips (the agent refuses unsigned ones: it was given the command key).
        Http.Response sent = Http.post(url("/api/v1/devices/pump-1/commands"), "{\"action\":\"ping\"}", server.adminToken());
        assertEquals(202, sent.status(), sent.body());
        String commandId = sent.json().getString("commandId");
        JsonObject done = Await.until(Duration.ofSeconds(30), "ping result",
                () -> Http.get(url("/api/v1/commands/" + commandId), server.adminToken()).json(), j -> !"SENT".equals(j.getString("status")));
        assertEquals("OK", done.getString("status"), done.encode());

        // 4. A second device, enrolled with a CSR made here, cannot touch pump-1's topics.
        DeviceCerts other = new DeviceCerts("pump-2");
        JsonObject answer = enroll(enrollmentToken("pump-2"), other.csr("pump-2"));
        other.enrolled(answer);
        assertEquals("root", answer.getJsonObject("trustedRoot").getJsonObject("signed").getString("_type"),
                "enrollment hands out the image repository's signed root.json");
        assertTrue(answer.getString("coapUrl").startsWith("coaps://127.0.0.1:"), answer.getString("coapUrl"));
        MqttClient intruder = other.client(server.tlsUri(), "pump-2");
        intruder.connect(other.options());
        IMqttToken sub = intruder.subscribe(new MqttSubscription[] {new MqttSubscription(Topics.cmd("pump-1"), 1)},
                new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {(t, m) -> { }});
        assertTrue(sub.getReasonCodes()[0] >= 0x80, "SUBACK must refuse another device's cmd topic, got " + sub.getReasonCodes()[0]);
        IMqttToken ownSub = intruder.subscribe(new MqttSubscription[] {new MqttSubscription(Topics.cmd("pump-2"), 1)},
                new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {(t, m) -> { }});
        assertEquals(1, ownSub.getReasonCodes()[0], "its own cmd topic is granted at QoS 1");
        // A second connection of pump-2 (the publish may cost it its connection).
        MqttAsyncClient intruderAsync = new MqttAsyncClient(server.tlsUri(), "pump-2", new MemoryPersistence());
        intruder.disconnect();
        intruderAsync.connect(other.options()).waitForCompletion(20_000);
        long forgedSequence = 987_654_321L;
        byte[] forged = Codecs.TELEMETRY.encode(TelemetryBatch.newBuilder().setDeviceId("pump-1").setSequence(forgedSequence)
                .setWindowStartMs(1).setWindowEndMs(2).addChannels(ChannelSummary.newBuilder().setChannel("forged").setCount(1))
                .build());
        String outcome;
        try {
            MqttMessage m = new MqttMessage(forged);
            m.setQos(1);
            IMqttToken pub = intruderAsync.publish(Topics.telemetry("pump-1"), m);
            pub.waitForCompletion(10_000);
            int code = pub.getReasonCodes() != null && pub.getReasonCodes().length > 0 ? pub.getReasonCodes()[0] : 0;
            assertTrue(code >= 0x80, "a PUBACK for another device's topic must carry a failure reason code, got " + code);
            outcome = "PUBACK " + code;
        } catch (MqttException e) {
            outcome = "refused: " + e.getMessage(); // HiveMQ may drop the publish or close the connection
        }
        // Positive control on a fresh connection: pump-2's own telemetry, sent after the forged one, is stored...
        MqttAsyncClient honest = new MqttAsyncClient(server.tlsUri(), "pump-2", new MemoryPersistence());
        honest.connect(other.options()).waitForCompletion(20_000);
        MqttMessage own = new MqttMessage(Codecs.TELEMETRY.encode(TelemetryBatch.newBuilder().setDeviceId("pump-2")
                .setSequence(forgedSequence).setWindowStartMs(1).setWindowEndMs(2)
                .addChannels(ChannelSummary.newBuilder().setChannel("own").setCount(1)).build()));
        own.setQos(1);
        honest.publish(Topics.telemetry("pump-2"), own).waitForCompletion(10_000);
        Await.until(Duration.ofSeconds(30), "pump-2's own telemetry stored",
                () -> server.store().summaries("pump-2", 10).size(), n -> n >= 1);
        honest.disconnect().waitForCompletion(5000);
        honest.close();
        // ...while the forged one never arrived.
        assertTrue(server.writer().flush(10_000));
        assertTrue(server.store().summaries("pump-1", 1000).stream().noneMatch(s -> s.sequence() == forgedSequence),
                "the forged summary must not be stored (" + outcome + ")");
        if (intruderAsync.isConnected()) {
            intruderAsync.disconnectForcibly(1000);
        }
        intruderAsync.close();
        if (intruder.isConnected()) {
            intruder.disconnect();
        }
        intruder.close();

        // A command to a tag query reaches every device with that tag: pump-1 answers, pump-2 (no agent running)
        // never does, so its command turns EXPIRED after the ttl.
        Http.Response batch = Http.post(url("/api/v1/commands"), "{\"target\":{\"tag\":\"pump\"},\"action\":\"ping\",\"ttlMs\":4000}",
                server.adminToken());
        assertEquals(202, batch.status(), batch.body());
        assertEquals(2, batch.json().getInteger("count"), batch.body());
        String batchId = batch.json().getString("batchId");
        JsonObject statuses = Await.until(Duration.ofSeconds(30), "batch settled",
                () -> Http.get(url("/api/v1/command-batches/" + batchId), server.adminToken()).json().getJsonObject("statuses"),
                st -> st.getInteger("OK", 0) == 1 && st.getInteger("EXPIRED", 0) == 1);
        assertEquals(2, statuses.size(), statuses.encode());
        assertEquals(404, Http.post(url("/api/v1/commands"), "{\"target\":{\"group\":\"nowhere\"},\"action\":\"ping\"}",
                server.adminToken()).status(), "a group with no devices");

        // Client id must equal the certificate's CN.
        MqttClient impostor = other.client(server.tlsUri(), "pump-1");
        MqttException wrongId = assertThrows(MqttException.class, () -> impostor.connect(other.options()));
        assertTrue(wrongId.getReasonCode() >= 0x80 || wrongId.getReasonCode() == MqttException.REASON_CODE_CLIENT_EXCEPTION,
                "connect as pump-1 with pump-2's certificate must fail: " + wrongId);
        impostor.close();
        // The last will must be the device's own state topic.
        MqttClient badWill = other.client(server.tlsUri(), "pump-2");
        MqttConnectionOptions willOpts = other.options();
        willOpts.setWill(Topics.state("pump-1"), new MqttMessage(new byte[] {1}));
        assertThrows(MqttException.class, () -> badWill.connect(willOpts), "a will on another device's topic is refused");
        badWill.close();

        // 5. Revocation: the live session ends, and the next connection attempt is refused.
        Http.Response revoked = Http.post(url("/api/v1/devices/pump-1/revoke"), "{}", server.adminToken());
        assertEquals(200, revoked.status(), revoked.body());
        assertTrue(revoked.json().getBoolean("disconnected"), revoked.body());
        Await.until(Duration.ofSeconds(30), "pump-1 offline after revocation",
                () -> server.store().device("pump-1").map(DeviceRow::online).orElse(true), online -> !online);
        MqttClient again = new MqttClient(server.tlsUri(), "pump-1", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setSocketFactory(creds.sslContext().getSocketFactory());
        o.setConnectionTimeout(20);
        MqttException refusedAgain = assertThrows(MqttException.class, () -> again.connect(o));
        assertEquals(0x87, refusedAgain.getReasonCode(), "NOT_AUTHORIZED for a revoked certificate: " + refusedAgain);
        again.close();
        assertTrue(server.metrics().rejectedCount("broker", "revoked_certificate") >= 1);
        assertTrue(server.metrics().rejectedCount("broker", "client_id_mismatch") >= 1);

        // Everything above that changed state is in the audit log.
        JsonArray audit = Http.get(url("/api/v1/audit?limit=100"), server.adminToken()).json().getJsonArray("entries");
        String actions = audit.stream().map(e -> ((JsonObject) e).getString("action")).toList().toString();
        for (String a : new String[] {"enrollment-token.create", "device.enroll", "command.send", "device.revoke"}) {
            assertTrue(actions.contains(a), a + " missing from the audit log: " + actions);
        }
    }

    /** With --https the token and CSR travel over TLS; the device checks the server against the CA it was given. */
    @Test
    void enrollmentOverHttpsWithTheCaCertificate() throws Exception {
        server = new FleetServer(ServerConfig.builder().onlineTargetsKey(true).httpHost("127.0.0.1").httpPort(0).mqttHost("127.0.0.1")
                .plainMqtt(false).mqttsPort(0).coapPort(0).https(true).dataDir(dataDir).build()).start();
        String token = server.identity().createToken("pump-5", 600, null, java.util.List.of(), "test").token();
        String url = "https://127.0.0.1:" + server.httpPort();
        // Without the CA the handshake fails and the token is never sent.
        var refused = assertThrows(io.nanofleet.agent.enroll.EnrollmentException.class,
                () -> new Enroller(null).enroll(url, token, "pump-5", "hw", "1", new Credentials(agentDir)));
        assertTrue(refused.getCause() instanceof javax.net.ssl.SSLException, String.valueOf(refused.getCause()));
        javax.net.ssl.TrustManagerFactory tmf = io.nanofleet.server.identity.TlsContexts.trustOnly(
                io.nanofleet.server.identity.Pem.certificate(java.nio.file.Files.readString(dataDir.resolve("ca/ca-cert.pem"))));
        javax.net.ssl.SSLContext trust = javax.net.ssl.SSLContext.getInstance("TLS");
        trust.init(null, tmf.getTrustManagers(), null);
        Enroller.Result r = new Enroller(trust).enroll(url, token, "pump-5", "hw", "1", new Credentials(agentDir));
        assertEquals("pump-5", r.deviceId());
        assertTrue(server.identity().registry().isEnrolled("pump-5"));
    }

    /** A client with a certificate from another CA does not get past the TLS handshake. */
    @Test
    void certificateFromAnotherCaIsRefusedInTheHandshake(@TempDir Path otherCaDir) throws Exception {
        server = new FleetServer(ServerConfig.builder().onlineTargetsKey(true).httpHost("127.0.0.1").httpPort(0).mqttHost("127.0.0.1")
                .plainMqtt(false).mqttsPort(0).coapPort(0).dataDir(dataDir).build()).start();
        var foreignCa = io.nanofleet.server.identity.DeviceCa.openOrCreate(otherCaDir, "x".toCharArray());
        DeviceCerts d = new DeviceCerts("pump-9");
        d.cert = foreignCa.issueDevice("pump-9", d.keys.getPublic(), System.currentTimeMillis(), Duration.ofDays(1));
        d.ca = server.identity().ca().certificate(); // trust the real server, present a foreign client cert
        MqttClient c = d.client(server.tlsUri(), "pump-9");
        assertThrows(MqttException.class, () -> c.connect(d.options()));
        c.close();
        assertEquals(0, server.store().devices().size(), "nothing about the foreign device is recorded");
    }
}
