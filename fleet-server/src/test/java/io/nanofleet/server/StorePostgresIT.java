package io.nanofleet.server;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * The storage contract on PostgreSQL: NANOFLEET_IT_PG_URL (postgresql://host:port/db?user=...; CI sets it to
 * this machine's PostgreSQL), else a Testcontainers PostgreSQL where Docker runs, else skipped with a
 * message naming the variable. Each run works in its own schema, dropped afterwards.
 */
class StorePostgresIT extends AbstractStoreContract {
    static final String ENV = "NANOFLEET_IT_PG_URL";
    PostgreSQLContainer<?> container;
    String baseUrl;
    final String schema = "nf_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @Override
    String jdbcUrl() {
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            baseUrl = env.startsWith("jdbc:") ? env : "jdbc:" + env.replaceFirst("^postgres://", "postgresql://");
        } else {
            boolean docker;
            try {
                docker = DockerClientFactory.instance().isDockerAvailable();
            } catch (RuntimeException e) {
                docker = false;
            }
            assumeTrue(docker, "skipped: set " + ENV + "=postgresql://host:5432/db?user=... (a PostgreSQL to test against), "
                    + "or run where Docker is available for Testcontainers");
            container = new PostgreSQLContainer<>("postgres:16-alpine");
            container.start();
            baseUrl = container.getJdbcUrl() + (container.getJdbcUrl().contains("?") ? "&" : "?") + "user=" + container.getUsername()
                    + "&password=" + container.getPassword();
        }
        return baseUrl + (baseUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    @Override
    void dropDatabase() throws Exception {
        if (container != null) {
            container.stop();
            return;
        }
        if (baseUrl != null) {
            try (Connection c = DriverManager.getConnection(baseUrl); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }
}
