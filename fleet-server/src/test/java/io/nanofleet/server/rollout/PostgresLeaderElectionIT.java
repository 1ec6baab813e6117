package io.nanofleet.server.rollout;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Leader election among instances sharing a PostgreSQL (the one on this machine, NANOFLEET_IT_PG_URL):
 * exactly one holds the advisory lock; when its session ends, another takes over at its next check.
 */
class PostgresLeaderElectionIT {
    static String jdbcUrl() {
        String url = System.getenv("NANOFLEET_IT_PG_URL");
        if (url == null || url.isBlank()) {
            return null;
        }
        return url.startsWith("jdbc:") ? url : "jdbc:" + url;
    }

    @Test
    void oneLeaderAtATimeAndFailover() throws Exception {
        String url = jdbcUrl();
        Assumptions.assumeTrue(url != null, "NANOFLEET_IT_PG_URL is not set (e.g. postgresql://127.0.0.1:5432/test?user=postgres); "
                + "skipping the PostgreSQL leader-election test");
        PostgresLeaderElection a = new PostgresLeaderElection(() -> DriverManager.getConnection(url));
        PostgresLeaderElection b = new PostgresLeaderElection(() -> DriverManager.getConnection(url));
        // Another run's leftover session must not hold the lock: a fresh database session per instance.
        try (Connection probe = DriverManager.getConnection(url)) {
            probe.isValid(2);
        }
        try {
            assertTrue(a.isLeader(), "the first instance takes the lock");
            assertFalse(b.isLeader(), "a second instance does not while the first holds it");
            assertTrue(a.isLeader(), "the leader keeps it");
            a.close(); // its session ends, as when an instance stops or crashes
            assertTrue(b.isLeader(), "another instance takes over");
            assertFalse(a.isLeader() && b.isLeader(), "never two leaders");
        } finally {
            a.close();
            b.close();
        }
    }
}
