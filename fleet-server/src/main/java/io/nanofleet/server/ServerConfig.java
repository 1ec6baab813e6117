package io.nanofleet.server;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything the server needs to start. Built with {@link #builder()}; defaults are the single-process
 * demo: embedded broker on 1883, HTTP on 8080, SQLite under the data directory.
 */
public record ServerConfig(
        String httpHost,
        int httpPort,
        String mqttHost,
        int mqttPort,
        String externalBroker,
        String db,
        Path dataDir) {

    public ServerConfig {
        Objects.requireNonNull(httpHost, "httpHost");
        Objects.requireNonNull(mqttHost, "mqttHost");
        Objects.requireNonNull(dataDir, "dataDir");
        checkPort("--http-port", httpPort);
        checkPort("--mqtt-port", mqttPort);
    }

    private static void checkPort(String flag, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(flag + " must be between 0 and 65535 (0 picks a free port), got " + port);
        }
    }

    /** True when devices connect to a broker we do not run. */
    public boolean usesExternalBroker() {
        return externalBroker != null;
    }

    /** JDBC URL of the store: an explicit --db, else SQLite in the data directory. */
    public String jdbcUrl() {
        if (db == null) {
            return "jdbc:sqlite:" + dataDir.resolve("nanofleet.db").toAbsolutePath();
        }
        if (db.startsWith("jdbc:")) {
            return db;
        }
        if (db.startsWith("sqlite:")) {
            return "jdbc:" + db;
        }
        return "jdbc:sqlite:" + Path.of(db).toAbsolutePath();
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private String httpHost = "0.0.0.0";
        private int httpPort = 8080;
        private String mqttHost = "0.0.0.0";
        private int mqttPort = 1883;
        private String externalBroker;
        private String db;
        private Path dataDir = Path.of("nanofleet-data");

        public Builder httpHost(String v) {
            httpHost = v;
            return this;
        }

        public Builder httpPort(int v) {
            httpPort = v;
            return this;
        }

        public Builder mqttHost(String v) {
            mqttHost = v;
            return this;
        }

        public Builder mqttPort(int v) {
            mqttPort = v;
            return this;
        }

        /** {@code mqtt://host:port}: use this broker and start none. */
        public Builder externalBroker(String v) {
            externalBroker = v;
            return this;
        }

        public Builder db(String v) {
            db = v;
            return this;
        }

        public Builder dataDir(Path v) {
            dataDir = v;
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(httpHost, httpPort, mqttHost, mqttPort, externalBroker, db, dataDir);
        }
    }
}
