package io.nanofleet.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.agent.DeviceAgent;
import io.nanofleet.agent.enroll.Credentials;
import io.nanofleet.agent.enroll.Enroller;
import io.nanofleet.agent.sensor.SimulatedSensor;
import io.nanofleet.agent.transport.CoapUplink;
import io.nanofleet.server.FleetServer;
import io.nanofleet.server.ServerConfig;
import io.nanofleet.server.store.DeviceRow;
import java.net.DatagramSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's CoAP transport against the real fleet server (issue 6): enroll with the agent's own code, then
 * CoAP over DTLS with the issued device certificate: state and summaries reach the server's store, and a signed
 * command sent through the REST API arrives by Observe and is answered.
 */
class AgentOverCoapIT {
    @TempDir
    Path dataDir;
    @TempDir
    Path agentDir;

    private FleetServer server;
    private DeviceAgent agent;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void tearDown() {
        if (agent != null) {
            agent.close();
        }
        if (server != null) {
            server.close();
        }
        scheduler.shutdownNow();
    }

    private String post(String path, String json, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.statusCode() / 100 == 2, path + " -> " + r.statusCode() + " " + r.body());
        return r.body();
    }

    private String get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
                .header("Authorization", "Bearer " + server.adminToken()).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }

    private static void await(String what, BooleanSupplier ok) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    @Test
    void enrolledAgentTalksCoapOverDtlsToTheServer() throws Exception {
        int coapPort;
        try (DatagramSocket s = new DatagramSocket(0)) {
            coapPort = s.getLocalPort();
        }
        server = new FleetServer(ServerConfig.builder().onlineTargetsKey(true).httpHost("127.0.0.1").httpPort(0).mqttHost("127.0.0.1")
                .plainMqtt(false).mqttsPort(0).coapPort(coapPort).dataDir(dataDir).build()).start();
        String token = field(post("/api/v1/enrollment-tokens", "{\"deviceId\":\"coap-7\",\"ttlSeconds\":600}", server.adminToken()),
                "token");
        Credentials creds = new Credentials(agentDir);
        Enroller.Result enrolled = new Enroller(null).enroll("http://127.0.0.1:" + server.httpPort(), token, "coap-7",
                "rpi4-arm64", DeviceAgent.VERSION, creds);
        assertTrue(enrolled.coapUrl().startsWith("coaps://"), enrolled.coapUrl());
        String coapUrl = "coaps://127.0.0.1:" + coapPort;

        agent = DeviceAgent.builder().deviceId("coap-7").uplink(new CoapUplink(coapUrl, "coap-7", creds, scheduler, 200, 2000))
                .commandKey(creds.commandKey()).sensor(new SimulatedSensor(3)).stateDir(agentDir.resolve("state"))
                .sampleIntervalMs(50).telemetryIntervalMs(300).scheduler(scheduler).build();
        agent.start();
        await("DTLS session and command observation", agent::isConnected);
        await("coap-7 online", () -> {
            try {
                return server.store().device("coap-7").map(DeviceRow::online).orElse(false);
            } catch (Exception e) {
                return false;
            }
        });
        await("summaries over CoAP stored", () -> {
            try {
                return server.store().summaries("coap-7", 10).size() >= 2;
            } catch (Exception e) {
                return false;
            }
        });
        String commandId = field(post("/api/v1/devices/coap-7/commands", "{\"action\":\"ping\"}", server.adminToken()), "commandId");
        await("signed ping answered over CoAP", () -> {
            try {
                return !"SENT".equals(field(get("/api/v1/commands/" + commandId), "status"));
            } catch (Exception e) {
                return false;
            }
        });
        assertEquals("OK", field(get("/api/v1/commands/" + commandId), "status"));
        assertEquals(0, agent.refusedCommandCount(), "the server's signature verified with the enrolled key");
    }
}
