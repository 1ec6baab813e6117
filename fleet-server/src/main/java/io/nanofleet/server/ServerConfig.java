package io.nanofleet.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the server needs to start. Built with {@link #builder()}; defaults are the single-process
 * set-up: embedded broker with the devices' TLS listener on 8883 and the plain development listener on
 * 1883, HTTP on 8080, SQLite under the data directory; every listener on loopback (127.0.0.1) unless a host is given.
 *
 * @param plainMqtt     whether the unauthenticated development listener ({@code mqttPort}) runs
 * @param caPasswordFile file holding the device CA key's password; null: NANOFLEET_CA_PASSWORD, else
 *                      {@code <data-dir>/ca/ca-password} (created at first start)
 * @param publicHost    host name devices are told to use (enrollment answer, server certificate);
 *                      null: the host the device used to reach the HTTP API
 * @param rawRetention  how long raw summaries are kept before they are folded into hourly aggregates
 * @param https         serve the HTTP API over TLS with a certificate from the device CA
 * @param onlineTargetsKey the server creates root and targets keys itself and signs models online; off (the
 *                      default): the operator holds them offline and uploads root (POST /api/v1/tuf/root)
 */
public record ServerConfig(
        String httpHost,
        int httpPort,
        String mqttHost,
        int mqttPort,
        int mqttsPort,
        boolean plainMqtt,
        int coapPort,
        String externalBroker,
        String db,
        Path dataDir,
        Path caPasswordFile,
        String publicHost,
        Duration rawRetention,
        boolean https,
        boolean onlineTargetsKey) {

    public ServerConfig {
        Objects.requireNonNull(httpHost, "httpHost");
        Objects.requireNonNull(mqttHost, "mqttHost");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(rawRetention, "rawRetention");
        checkPort("--http-port", httpPort);
        checkPort("--mqtt-port", mqttPort);
        checkPort("--mqtts-port", mqttsPort);
        checkPort("--coap-port", coapPort);
        if (rawRetention.toHours() < 1) {
            throw new IllegalArgumentException("--raw-retention-hours must be at least 1");
        }
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

    /** True for --db postgresql://... (or a jdbc:postgresql: URL). */
    public boolean usesPostgres() {
        return db != null && (db.startsWith("postgresql://") || db.startsWith("postgres://") || db.startsWith("jdbc:postgresql:"));
    }

    /** JDBC URL of the store: an explicit --db, else SQLite in the data directory. */
    public String jdbcUrl() {
        if (db == null) {
            return "jdbc:sqlite:" + dataDir.resolve("nanofleet.db").toAbsolutePath();
        }
        if (db.startsWith("jdbc:")) {
            return db;
        }
        if (db.startsWith("postgresql://")) {
            return "jdbc:" + db;
        }
        if (db.startsWith("postgres://")) {
            return "jdbc:postgresql://" + db.substring("postgres://".length());
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
        private String httpHost = "127.0.0.1";
        private int httpPort = 8080;
        private String mqttHost = "127.0.0.1";
        private int mqttPort = 1883;
        private int mqttsPort = 8883;
        private boolean plainMqtt = true;
        private int coapPort = 5684;
        private String externalBroker;
        private String db;
        private Path dataDir = Path.of("nanofleet-data");
        private Path caPasswordFile;
        private String publicHost;
        private Duration rawRetention = Duration.ofDays(7);
        private boolean https;
        private boolean onlineTargetsKey;

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

        /** The plain development listener's port. */
        public Builder mqttPort(int v) {
            mqttPort = v;
            return this;
        }

        /** The devices' mutual-TLS listener's port. */
        public Builder mqttsPort(int v) {
            mqttsPort = v;
            return this;
        }

        public Builder plainMqtt(boolean v) {
            plainMqtt = v;
            return this;
        }

        public Builder coapPort(int v) {
            coapPort = v;
            return this;
        }

        /** {@code mqtt://host:port} or {@code mqtts://host:port}: use this broker and start none. */
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

        public Builder caPasswordFile(Path v) {
            caPasswordFile = v;
            return this;
        }

        public Builder publicHost(String v) {
            publicHost = v;
            return this;
        }

        public Builder rawRetention(Duration v) {
            rawRetention = v;
            return this;
        }

        public Builder https(boolean v) {
            https = v;
            return this;
        }

        /**
         * The server creates root and targets keys itself and signs uploaded models online. Gives up the offline
         * keys' protection: anyone who copies the data directory can publish models that devices install.
         */
        public Builder onlineTargetsKey(boolean v) {
            onlineTargetsKey = v;
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(httpHost, httpPort, mqttHost, mqttPort, mqttsPort, plainMqtt, coapPort, externalBroker, db,
                    dataDir, caPasswordFile, publicHost, rawRetention, https, onlineTargetsKey);
        }
    }
}
