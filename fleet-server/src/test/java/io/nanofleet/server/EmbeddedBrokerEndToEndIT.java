package io.nanofleet.server;

/** The default deployment: HiveMQ CE inside the server process. */
class EmbeddedBrokerEndToEndIT extends AbstractFleetEndToEndIT {
    @Override
    ServerConfig.Builder config(ServerConfig.Builder b) {
        return b.mqttHost("127.0.0.1").mqttPort(0);
    }
}
