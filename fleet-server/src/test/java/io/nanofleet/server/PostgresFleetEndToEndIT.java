package io.nanofleet.server;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;

/**
 * The whole server (embedded broker, agents, REST API) on PostgreSQL: {@code --db postgresql://...} from
 * NANOFLEET_IT_PG_URL, in a schema of its own that is dropped afterwards; skipped naming the variable when unset.
 */
class PostgresFleetEndToEndIT extends AbstractFleetEndToEndIT {
    final String schema = "nf_e2e_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String base;

    @Override
    ServerConfig.Builder config(ServerConfig.Builder b) {
        String env = System.getenv(StorePostgresIT.ENV);
        assumeTrue(env != null && !env.isBlank(), "skipped: set " + StorePostgresIT.ENV
                + "=postgresql://host:5432/db?user=... to run the server end to end on PostgreSQL");
        base = env.startsWith("jdbc:") ? env.substring(5) : env;
        return b.mqttHost("127.0.0.1").mqttPort(0).db(base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema);
    }

    @AfterEach
    void dropSchema() throws Exception {
        if (base != null) {
            if (server != null) {
                server.close();
                server = null;
            }
            try (Connection c = DriverManager.getConnection("jdbc:" + base); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }
}
