package io.nanofleet.server;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The same scenario against an external MQTT 5 broker (Mosquitto): the address comes from
 * NANOFLEET_IT_MQTT_URL (CI sets it to this machine's Mosquitto), else a Testcontainers Mosquitto
 * where Docker runs, else the test is skipped with a message naming the variable.
 */
class ExternalBrokerEndToEndIT extends AbstractFleetEndToEndIT {
    static final String ENV = "NANOFLEET_IT_MQTT_URL";
    static GenericContainer<?> mosquitto;
    static String brokerUrl;

    @BeforeAll
    static void broker() {
        brokerUrl = System.getenv(ENV);
        if (brokerUrl == null || brokerUrl.isBlank()) {
            boolean docker;
            try {
                docker = DockerClientFactory.instance().isDockerAvailable();
            } catch (RuntimeException e) {
                docker = false;
            }
            assumeTrue(docker, "skipped: set " + ENV + "=mqtt://host:port (an MQTT 5 broker such as Mosquitto), "
                    + "or run where Docker is available for Testcontainers");
            mosquitto = new GenericContainer<>(DockerImageName.parse("eclipse-mosquitto:2.0"))
                    .withCopyFileToContainer(MountableFile.forClasspathResource("mosquitto-open.conf"), "/mosquitto/config/mosquitto.conf")
                    .withExposedPorts(1883);
            mosquitto.start();
            brokerUrl = "mqtt://" + mosquitto.getHost() + ":" + mosquitto.getMappedPort(1883);
        }
    }

    @AfterAll
    static void stop() {
        if (mosquitto != null) {
            mosquitto.stop();
        }
    }

    /** Leaves the shared broker as we found it: clears the retained states this run's agents left. */
    @org.junit.jupiter.api.AfterEach
    void clearRetained() throws Exception {
        var client = new org.eclipse.paho.mqttv5.client.MqttClient(io.nanofleet.server.broker.BrokerUri.toPaho(brokerUrl), prefix + "cleaner",
                new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        client.connect();
        for (int i = 0; i < 3; i++) {
            client.publish(io.nanofleet.protocols.Topics.state(prefix + i), new byte[0], 1, true);
        }
        client.disconnect();
        client.close();
    }

    /** Enrolls with the agent's own code (JDK-made CSR), as a real device would before connecting. */
    @Override
    void beforeConnect(String deviceId) throws Exception {
        Http.Response token = Http.post(api() + "/enrollment-tokens",
                new io.vertx.core.json.JsonObject().put("deviceId", deviceId).put("ttlSeconds", 600).encode(), token());
        org.junit.jupiter.api.Assertions.assertEquals(201, token.status(), token.body());
        new io.nanofleet.agent.enroll.Enroller(null).enroll("http://127.0.0.1:" + server.httpPort(),
                token.json().getString("token"), deviceId, "test-hw", "test", credentials(deviceId));
    }

    io.nanofleet.agent.enroll.Credentials credentials(String deviceId) {
        return new io.nanofleet.agent.enroll.Credentials(dataDir.resolve("agent-" + deviceId));
    }

    /**
     * A shared broker holds other clients' retained states (earlier runs, benchmarks); the server rightly
     * refuses those as unknown devices. Every other reason still counts.
     */
    @Override
    long unexpectedRejects() {
        var c = server.gateway().counters();
        return c.rejectedTotal() - c.rejectedCount(io.nanofleet.server.ingest.IngestCounters.Reject.UNKNOWN_DEVICE);
    }

    /** Plain MQTT to the external broker, but the server's commands are verified with the enrolled key. */
    @Override
    io.nanofleet.agent.DeviceAgentBuilder agentBuilder(String deviceId) throws Exception {
        return io.nanofleet.agent.DeviceAgent.builder().commandKey(credentials(deviceId).commandKey());
    }

    @Override
    ServerConfig.Builder config(ServerConfig.Builder b) {
        return b.externalBroker(brokerUrl);
    }
}
