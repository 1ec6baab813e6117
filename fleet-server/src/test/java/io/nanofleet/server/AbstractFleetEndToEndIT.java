package io.nanofleet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.agent.DeviceAgent;
import io.nanofleet.agent.sensor.SimulatedSensor;
import io.nanofleet.server.store.DeviceRow;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Server + three in-JVM agents (the agent's real classes) over a real broker: the server sees them
 * online, stores their summaries, a ping round-trips through the REST API, and a dropped connection
 * turns a device offline through its last will.
 */
abstract class AbstractFleetEndToEndIT {
    @TempDir
    Path dataDir;

    /** Unique per run: an external broker keeps retained states from earlier runs. */
    final String prefix = "e2e-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    final List<DeviceAgent> agents = new ArrayList<>();
    FleetServer server;

    abstract ServerConfig.Builder config(ServerConfig.Builder b);

    @AfterEach
    void tearDown() {
        agents.forEach(DeviceAgent::close);
        if (server != null) {
            server.close();
        }
    }

    /**
     * Called before each agent connects. The embedded broker's development listener accepts any device;
     * through an external broker the server accepts only enrolled devices, so that variant enrolls here.
     */
    void beforeConnect(String deviceId) throws Exception {}

    /** The agent as this variant's devices are configured (an enrolled device also knows the command key). */
    io.nanofleet.agent.DeviceAgentBuilder agentBuilder(String deviceId) throws Exception {
        return DeviceAgent.builder();
    }

    /** Rejected messages this scenario's agents could have caused. */
    long unexpectedRejects() {
        return server.gateway().counters().rejectedTotal();
    }

    String token() {
        return server.adminToken();
    }

    String api() {
        return "http://127.0.0.1:" + server.httpPort() + "/api/v1";
    }

    @Test
    void threeAgentsOnlineSummariesStoredPingRoundTripsAndLastWillMarksOffline() throws Exception {
        server = new FleetServer(config(ServerConfig.builder().onlineTargetsKey(true).mqttsPort(0).coapPort(0).httpHost("127.0.0.1").httpPort(0).dataDir(dataDir)).build())
                .start();
        for (int i = 0; i < 3; i++) {
            beforeConnect(prefix + i);
            DeviceAgent a = agentBuilder(prefix + i).deviceId(prefix + i).broker(server.brokerUri())
                    .sensor(new SimulatedSensor(i)).sampleIntervalMs(50).telemetryIntervalMs(300).build();
            a.start();
            agents.add(a);
        }

        // 1. All three online.
        Await.until(Duration.ofSeconds(20), "3 devices online", this::ownOnline, n -> n == 3);

        // 2. Summaries stored, with sane values.
        for (DeviceAgent a : agents) {
            JsonObject s = Await.until(Duration.ofSeconds(20), "summaries of " + a.deviceId(),
                    () -> Http.get(api() + "/devices/" + a.deviceId() + "/summaries", token()).json(),
                    j -> j.getJsonArray("summaries").size() >= 4);
            JsonObject first = s.getJsonArray("summaries").getJsonObject(0);
            assertTrue(first.getLong("count") > 0, first.encode());
            assertTrue(first.getDouble("min") <= first.getDouble("mean") && first.getDouble("mean") <= first.getDouble("max"),
                    first.encode());
        }

        // 3. ping round trip through the REST API, MQTT, the agent and back.
        String target = agents.get(1).deviceId();
        Http.Response sent = Http.post(api() + "/devices/" + target + "/commands", "{\"action\":\"ping\",\"arguments\":{\"echo\":\"hi\"}}", token());
        assertEquals(202, sent.status(), sent.body());
        String commandId = sent.json().getString("commandId");
        JsonObject done = Await.until(Duration.ofSeconds(20), "ping result",
                () -> Http.get(api() + "/commands/" + commandId, token()).json(), j -> !"SENT".equals(j.getString("status")));
        assertEquals("OK", done.getString("status"), done.encode());
        assertEquals("pong", done.getString("resultMessage"));
        JsonArray events = Http.get(api() + "/devices/" + target + "/events", token()).json().getJsonArray("events");
        assertEquals("command_result", events.getJsonObject(0).getString("type"));

        // 4. Kill one agent's connection: the broker publishes its will, the server marks it offline.
        DeviceAgent victim = agents.get(2);
        victim.dropConnection();
        Await.until(Duration.ofSeconds(20), victim.deviceId() + " offline",
                () -> server.store().device(victim.deviceId()).map(DeviceRow::online).orElse(true), online -> !online);
        assertEquals(2, ownOnline(), "the other two stay online");
        assertEquals(0, unexpectedRejects(), "nothing from real agents is rejected");
    }

    long ownOnline() throws Exception {
        JsonArray devices = Http.get(api() + "/devices", token()).json().getJsonArray("devices");
        long n = 0;
        for (int i = 0; i < devices.size(); i++) {
            JsonObject d = devices.getJsonObject(i);
            if (d.getString("deviceId").startsWith(prefix) && d.getBoolean("online")) {
                n++;
            }
        }
        return n;
    }
}
