package io.nanofleet.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nanofleet.agent.DeviceAgent;
import io.nanofleet.agent.enroll.Credentials;
import io.nanofleet.agent.enroll.CsrBuilder;
import io.nanofleet.agent.enroll.Pem;
import io.nanofleet.agent.sensor.SimulatedSensor;
import io.nanofleet.agent.testing.Await;
import io.nanofleet.agent.testing.CoapTestServer;
import io.nanofleet.agent.testing.Mosquitto;
import io.nanofleet.agent.testing.TestPki;
import io.nanofleet.agent.transport.CoapUplink;
import io.nanofleet.protocols.Channel;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.v1.Command;
import io.nanofleet.protocols.v1.CommandResult;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.TelemetryBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CoAP transport: against an in-test Californium server over DTLS with the device certificate, and
 * against libcoap's {@code coap-server} (a third-party implementation) where Debian's libcoap3-bin is installed.
 */
class CoapIT {
    @TempDir
    Path dir;

    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    /** Device credentials issued by the test CA, stored as enrollment stores them. */
    private Credentials enrolled(TestPki pki, String id) throws Exception {
        var keys = CsrBuilder.generateKeyPair();
        String cert = pki.sign(Pem.encode("CERTIFICATE REQUEST", CsrBuilder.build(id, keys)), "eku=clientAuth");
        Credentials c = new Credentials(dir.resolve("state"));
        c.writePrivate(Credentials.KEY, Pem.encode("PRIVATE KEY", keys.getPrivate().getEncoded()));
        c.writePrivate(Credentials.CERT, cert);
        c.writePrivate(Credentials.CA, pki.caPem());
        return c;
    }

    @Test
    void dtlsWithTheDeviceCertificateCarriesSummariesAndCommands() throws Exception {
        TestPki pki = new TestPki(Files.createDirectories(dir.resolve("pki")));
        Credentials creds = enrolled(pki, "coap-1");
        pki.server("coapserver");
        String serverKey = Files.readString(pki.dir().resolve("coapserver.key"));
        List<java.security.cert.X509Certificate> chain = Pem.certificates(Files.readString(pki.dir().resolve("coapserver.crt")));
        try (CoapTestServer server = new CoapTestServer("coap-1", Pem.ecPrivateKey(serverKey), chain.toArray(new Certificate[0]),
                Pem.certificates(pki.caPem()).toArray(new Certificate[0]))) {
            CoapUplink uplink = new CoapUplink(server.url(true), "coap-1", creds, scheduler, 200, 2000);
            DeviceAgent agent = DeviceAgent.builder().deviceId("coap-1").uplink(uplink).sensor(new SimulatedSensor(1))
                    .stateDir(creds.dir()).sampleIntervalMs(20).telemetryIntervalMs(200).build();
            agent.start();
            Await.until(Duration.ofSeconds(30), "DTLS session and observation", agent::isConnected);
            Await.until(Duration.ofSeconds(30), "summaries over CoAP", () -> server.received(Channel.TELEMETRY).size() >= 3);
            TelemetryBatch b = Codecs.TELEMETRY.decode(server.received(Channel.TELEMETRY).get(0));
            assertEquals("coap-1", b.getDeviceId());
            assertEquals(4, b.getChannelsCount());
            assertTrue(server.clientIdentity.contains("CN=coap-1"), "the server saw the device certificate: " + server.clientIdentity);

            Command ping = Command.newBuilder().setDeviceId("coap-1").setCommandId("c-1").setAction("ping").build();
            server.pushCommand(Codecs.COMMAND.encode(ping));
            Await.until(Duration.ofSeconds(30), "command result over CoAP", () -> results(server).size() >= 1);
            assertEquals(CommandResult.Status.OK, results(server).get(0).getStatus());
            assertTrue(server.received(Channel.STATE).size() >= 1, "state is POSTed on connect");
            agent.close();
        }
    }

    private static List<CommandResult> results(CoapTestServer server) {
        List<CommandResult> out = new ArrayList<>();
        for (byte[] p : server.received(Channel.EVENTS)) {
            try {
                Event e = Codecs.EVENT.decode(p);
                if (e.hasCommandResult()) {
                    out.add(e.getCommandResult());
                }
            } catch (Exception ignored) {
                // not ours
            }
        }
        return out;
    }

    @Test
    void libcoapServerAnswersTheAgentsRequestsAndPushesItsCommands() throws Exception {
        Path server = Path.of("/usr/bin/coap-server-openssl");
        Path client = Path.of("/usr/bin/coap-client-openssl");
        assumeTrue(Files.isExecutable(server) && Files.isExecutable(client),
                "libcoap's coap-server/coap-client not installed (apt-get install -y libcoap3-bin); skipping the libcoap interop test");
        int port = Mosquitto.freePort();
        Process p = new ProcessBuilder(server.toString(), "-A", "127.0.0.1", "-p", Integer.toString(port), "-d", "20")
                .redirectErrorStream(true).redirectOutput(dir.resolve("coap-server.log").toFile()).start();
        try {
            String base = "coap://127.0.0.1:" + port + "/v1/d/lib-1/";
            Thread.sleep(500);
            // libcoap creates resources on PUT (-d); the device's five channels.
            for (String ch : List.of("state", "telemetry", "events", "cmd", "ota")) {
                assertEquals(0, coapClient(client, "put", base + ch, null), ch);
            }
            CoapUplink uplink = new CoapUplink("coap://127.0.0.1:" + port, "lib-1", null, scheduler, 200, 2000);
            DeviceAgent agent = DeviceAgent.builder().deviceId("lib-1").uplink(uplink).sensor(new SimulatedSensor(1))
                    .sampleIntervalMs(20).telemetryIntervalMs(200).build();
            agent.start();
            Await.until(Duration.ofSeconds(30), "observation of cmd at libcoap", agent::isConnected);
            Await.until(Duration.ofSeconds(30), "summaries acknowledged by libcoap", () -> agent.telemetryBatchesSent() >= 3);
            Path got = dir.resolve("telemetry.bin");
            assertEquals(0, coapClient(client, "get", base + "telemetry", got));
            TelemetryBatch last = Codecs.TELEMETRY.decode(Files.readAllBytes(got));
            assertEquals("lib-1", last.getDeviceId());

            Path cmd = dir.resolve("cmd.bin");
            Files.write(cmd, Codecs.COMMAND.encode(Command.newBuilder().setDeviceId("lib-1").setCommandId("lib-c1").setAction("ping").build()));
            assertEquals(0, coapClientPut(client, base + "cmd", cmd));
            Path ev = dir.resolve("events.bin");
            Await.until(Duration.ofSeconds(30), "result event stored at libcoap", () -> {
                try {
                    coapClient(client, "get", base + "events", ev);
                    Event e = Codecs.EVENT.decode(Files.readAllBytes(ev));
                    return e.hasCommandResult() && e.getCommandResult().getCommandId().equals("lib-c1");
                } catch (Exception e) {
                    return false;
                }
            });
            agent.close();
        } finally {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static int coapClient(Path client, String method, String uri, Path out) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(client.toString(), "-m", method, "-B", "5"));
        if (out != null) {
            cmd.addAll(List.of("-o", out.toString()));
        }
        if (method.equals("put")) {
            cmd.addAll(List.of("-e", ""));
        }
        cmd.add(uri);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        return rc == 0 && !o.contains("4.0") && !o.contains("5.0") ? 0 : (rc == 0 ? 99 : rc);
    }

    private static int coapClientPut(Path client, String uri, Path payload) throws Exception {
        Process p = new ProcessBuilder(client.toString(), "-m", "put", "-B", "5", "-f", payload.toString(), uri)
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }
}
