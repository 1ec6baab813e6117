package io.nanofleet.server;

import io.nanofleet.server.identity.CertificateRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.SQLException;

/** What start-up checks before it builds anything, each failure naming the flag that changes it. */
final class StartupChecks {
    private StartupChecks() {}

    static void dataDirAndPorts(ServerConfig config) {
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new StartupException("cannot create the data directory " + config.dataDir() + ": " + e.getMessage()
                    + ". Choose a writable --data-dir.", e);
        }
        Ports.requireFree("HTTP", config.httpHost(), config.httpPort(), "--http-port");
        if (!config.usesExternalBroker()) {
            if (config.plainMqtt()) {
                Ports.requireFree("MQTT", config.mqttHost(), config.mqttPort(), "--mqtt-port");
            }
            Ports.requireFree("MQTT TLS", config.mqttHost(), config.mqttsPort(), "--mqtts-port");
        }
    }

    static CertificateRegistry loaded(CertificateRegistry registry) {
        try {
            registry.reload();
            return registry;
        } catch (SQLException e) {
            throw new StartupException("cannot read issued certificates from the database: " + e.getMessage(), e);
        }
    }
}
