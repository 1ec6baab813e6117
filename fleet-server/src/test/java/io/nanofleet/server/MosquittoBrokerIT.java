package io.nanofleet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nanofleet.agent.DeviceAgent;
import io.nanofleet.agent.enroll.Credentials;
import io.nanofleet.agent.enroll.Enroller;
import io.nanofleet.agent.sensor.SimulatedSensor;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.ChannelSummary;
import io.nanofleet.protocols.v1.TelemetryBatch;
import io.nanofleet.server.broker.BrokerCertificates;
import io.nanofleet.server.identity.CaPassword;
import io.nanofleet.server.identity.DeviceCa;
import io.nanofleet.server.ingest.IngestCounters;
import io.nanofleet.server.store.DeviceRow;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * External broker mode against a Mosquitto this test starts with the documented configuration
 * (fleet-server/mosquitto/nanofleet.conf + nanofleet.acl) and certificates from the server's CA:
 * enrollment, telemetry, signed command, the ACL confining devices, and the server's own refusal of
 * unknown and revoked devices. Skipped when /usr/sbin/mosquitto is not installed.
 */
class MosquittoBrokerIT {
    static final Path MOSQUITTO = Path.of(System.getenv().getOrDefault("NANOFLEET_MOSQUITTO", "/usr/sbin/mosquitto"));

    @TempDir
    Path dir;
    Process mosquitto;
    FleetServer server;
    DeviceAgent agent;

    @AfterEach
    void tearDown() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (server != null) {
            server.close();
        }
        if (mosquitto != null) {
            mosquitto.destroy();
            if (!mosquitto.waitFor(10, TimeUnit.SECONDS)) {
                mosquitto.destroyForcibly();
            }
        }
    }

    int startMosquitto(Path dataDir, Path passwordFile) throws Exception {
        DeviceCa ca = DeviceCa.openOrCreate(CaPassword.caDir(dataDir), CaPassword.resolve(passwordFile, dataDir));
        Path certs = dir.resolve("mosquitto-certs");
        BrokerCertificates.write(ca, List.of("127.0.0.1", "localhost"), certs);
        int port = Ports.freePort();
        Path conf = dir.resolve("mosquitto");
        Files.createDirectories(conf);
        Files.writeString(conf.resolve("nanofleet.conf"), Files.readString(Path.of("mosquitto/nanofleet.conf"))
                .replace("${PORT}", String.valueOf(port)).replace("${BIND}", "127.0.0.1")
                .replace("${CERT_DIR}", certs.toString()).replace("${CONF_DIR}", conf.toString())
                // Started as root, Mosquitto switches to the "mosquitto" user, which cannot read this test's private
                // temp files: stay as whoever runs the test.
                + "\nuser " + System.getProperty("user.name") + "\n");
        Files.copy(Path.of("mosquitto/nanofleet.acl"), conf.resolve("nanofleet.acl"));
        Path log = dir.resolve("mosquitto.log");
        mosquitto = new ProcessBuilder(MOSQUITTO.toString(), "-c", conf.resolve("nanofleet.conf").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            assertTrue(mosquitto.isAlive(), "mosquitto exited: " + Files.readString(log));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return port;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("mosquitto did not listen on " + port + ": " + Files.readString(log));
    }

    @Test
    void devicesThroughMosquittoWithTheDocumentedAcl() throws Exception {
        assumeTrue(Files.isExecutable(MOSQUITTO), "skipped: no mosquitto binary at " + MOSQUITTO
                + " (apt-get install mosquitto, or set NANOFLEET_MOSQUITTO)");
        Path dataDir = dir.resolve("server");
        Path pw = Files.writeString(dir.resolve("ca-password"), "test-ca-password");
        int port = startMosquitto(dataDir, pw);
        server = new FleetServer(ServerConfig.builder().onlineTargetsKey(true).httpHost("127.0.0.1").httpPort(0).coapPort(0).dataDir(dataDir)
                .caPasswordFile(pw).externalBroker("mqtts://127.0.0.1:" + port).build()).start();
        String api = "http://127.0.0.1:" + server.httpPort();

        // Enroll with the agent's own code; the answer points the device at Mosquitto.
        Credentials creds = new Credentials(dir.resolve("agent"));
        String token = Http.post(api + "/api/v1/enrollment-tokens", "{\"deviceId\":\"valve-1\"}", server.adminToken()).json()
                .getString("token");
        Enroller.Result r = new Enroller(null).enroll(api, token, "valve-1", "hw", "0.1.0", creds);
        assertEquals("mqtts://127.0.0.1:" + port, r.mqttUrl());
        agent = DeviceAgent.builder().deviceId("valve-1").broker(r.mqttUrl()).tls(creds.sslContext()).commandKey(creds.commandKey())
                .sensor(new SimulatedSensor(3)).sampleIntervalMs(50).telemetryIntervalMs(300).stateDir(dir.resolve("agent-state")).build();
        agent.start();
        Await.until(Duration.ofSeconds(30), "valve-1 summaries via Mosquitto", () -> server.store().summaries("valve-1", 10).size(),
                n -> n >= 2);
        // A second enrolled device is confined by the ACL: no subscription to valve-1's commands, no publish as valve-1.
        DeviceCerts other = new DeviceCerts("valve-2");
        String t2 = Http.post(api + "/api/v1/enrollment-tokens", "{\"deviceId\":\"valve-2\"}", server.adminToken()).json().getString("token");
        other.enrolled(Http.post(api + "/api/v1/enroll", new JsonObject().put("token", t2).put("csr", other.csr("valve-2")).encode())
                .json());
        MqttAsyncClient c = new MqttAsyncClient("ssl://127.0.0.1:" + port, "valve-2", new MemoryPersistence());
        c.connect(other.options()).waitForCompletion(20_000);
        // Mosquitto 2.0 grants the SUBACK but checks read access on delivery: valve-2 must never see valve-1's command.
        java.util.concurrent.atomic.AtomicInteger leaked = new java.util.concurrent.atomic.AtomicInteger();
        IMqttToken sub = c.subscribe(new MqttSubscription[] {new MqttSubscription(Topics.cmd("valve-1"), 1)}, null, null,
                new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {(topic, m) -> leaked.incrementAndGet()},
                new org.eclipse.paho.mqttv5.common.packet.MqttProperties());
        sub.waitForCompletion(10_000);
        Http.Response sent = Http.post(api + "/api/v1/devices/valve-1/commands", "{\"action\":\"ping\"}", server.adminToken());
        assertEquals(202, sent.status(), sent.body());
        String id = sent.json().getString("commandId");
        JsonObject done = Await.until(Duration.ofSeconds(30), "signed ping via Mosquitto",
                () -> Http.get(api + "/api/v1/commands/" + id, server.adminToken()).json(), j -> !"SENT".equals(j.getString("status")));
        assertEquals("OK", done.getString("status"), done.encode());

        assertEquals(0, leaked.get(), "valve-2 received a command addressed to valve-1");
        long marker = 424_242L;
        MqttMessage forged = new MqttMessage(Codecs.TELEMETRY.encode(TelemetryBatch.newBuilder().setDeviceId("valve-1").setSequence(marker)
                .setWindowStartMs(1).setWindowEndMs(2).addChannels(ChannelSummary.newBuilder().setChannel("x").setCount(1)).build()));
        forged.setQos(1);
        c.publish(Topics.telemetry("valve-1"), forged).waitForCompletion(10_000); // Mosquitto acks and drops denied publishes
        MqttMessage own = new MqttMessage(Codecs.TELEMETRY.encode(TelemetryBatch.newBuilder().setDeviceId("valve-2").setSequence(marker)
                .setWindowStartMs(1).setWindowEndMs(2).addChannels(ChannelSummary.newBuilder().setChannel("x").setCount(1)).build()));
        own.setQos(1);
        c.publish(Topics.telemetry("valve-2"), own).waitForCompletion(10_000);
        Await.until(Duration.ofSeconds(30), "valve-2's own telemetry", () -> server.store().summaries("valve-2", 10).size(), n -> n == 1);
        assertTrue(server.writer().flush(10_000));
        assertTrue(server.store().summaries("valve-1", 1000).stream().noneMatch(s -> s.sequence() == marker),
                "the publish valve-2 made as valve-1 never reached the server");
        c.disconnect().waitForCompletion(5000);
        c.close();

        // A certificate from the CA for a device that never enrolled: Mosquitto lets it in, the server stores nothing.
        DeviceCerts stranger = new DeviceCerts("ghost-1");
        stranger.ca = server.identity().ca().certificate();
        stranger.cert = server.identity().ca().issueDevice("ghost-1", stranger.keys.getPublic(), System.currentTimeMillis(), Duration.ofDays(1));
        long unknownBefore = server.gateway().counters().rejectedCount(IngestCounters.Reject.UNKNOWN_DEVICE);
        MqttAsyncClient g = new MqttAsyncClient("ssl://127.0.0.1:" + port, "ghost-1", new MemoryPersistence());
        g.connect(stranger.options()).waitForCompletion(20_000);
        MqttMessage ghost = new MqttMessage(Codecs.TELEMETRY.encode(TelemetryBatch.newBuilder().setDeviceId("ghost-1").setSequence(1)
                .setWindowStartMs(1).setWindowEndMs(2).addChannels(ChannelSummary.newBuilder().setChannel("x").setCount(1)).build()));
        ghost.setQos(1);
        g.publish(Topics.telemetry("ghost-1"), ghost).waitForCompletion(10_000);
        Await.until(Duration.ofSeconds(30), "ghost telemetry rejected as unknown",
                () -> server.gateway().counters().rejectedCount(IngestCounters.Reject.UNKNOWN_DEVICE), n -> n > unknownBefore);
        assertTrue(server.store().device("ghost-1").isEmpty(), "nothing stored for an unknown device");
        g.disconnect().waitForCompletion(5000);
        g.close();

        // Revocation: Mosquitto keeps the TLS session (no live CRL), but the server refuses the device's traffic from now on.
        assertEquals(200, Http.post(api + "/api/v1/devices/valve-1/revoke", "{}", server.adminToken()).status());
        long revokedBefore = server.gateway().counters().rejectedCount(IngestCounters.Reject.REVOKED_DEVICE);
        Await.until(Duration.ofSeconds(30), "valve-1 traffic refused after revocation",
                () -> server.gateway().counters().rejectedCount(IngestCounters.Reject.REVOKED_DEVICE), n -> n > revokedBefore);
        assertTrue(!server.store().device("valve-1").map(DeviceRow::online).orElse(true), "revoked device shown offline");
    }
}
