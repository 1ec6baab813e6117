package io.nanofleet.server.rollout;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Elects the rollout driver among server instances sharing one PostgreSQL: the instance holding the
 * session-level advisory lock {@link #LOCK_KEY} leads. The lock lives as long as the connection that
 * took it, so a crashed or partitioned leader loses it when PostgreSQL drops its session, and another
 * instance's next {@code pg_try_advisory_lock} succeeds. No home-made consensus.
 */
public final class PostgresLeaderElection implements LeaderElection {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresLeaderElection.class);
    /** Arbitrary constant shared by all instances: "nanofleet rollouts" as a 64-bit key. */
    public static final long LOCK_KEY = 0x6e66_726f_6c6c_6f75L;
    /** Where connections come from (the store's pool); the one holding the lock is kept out of it. */
    @FunctionalInterface
    public interface Connections {
        Connection get() throws SQLException;
    }

    private final Connections connections;
    private Connection held;

    public PostgresLeaderElection(Connections connections) {
        this.connections = connections;
    }

    @Override
    public synchronized boolean isLeader() {
        try {
            if (held != null) {
                if (held.isValid(2)) {
                    return true;
                }
                LOG.warn("lost the rollout leader lock's database session; trying to take it again");
                closeQuietly();
            }
            Connection c = connections.get();
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                ps.setLong(1, LOCK_KEY);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        held = c;
                        LOG.info("this instance now drives rollouts (PostgreSQL advisory lock {})", LOCK_KEY);
                        return true;
                    }
                }
            }
            c.close();
            return false;
        } catch (SQLException e) {
            closeQuietly();
            return false;
        }
    }

    private void closeQuietly() {
        if (held != null) {
            try {
                held.close();
            } catch (SQLException e) {
                // already gone
            }
            held = null;
        }
    }

    @Override
    public synchronized void close() {
        if (held != null) {
            try (PreparedStatement ps = held.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                ps.setLong(1, LOCK_KEY);
                ps.execute();
            } catch (SQLException e) {
                // closing the session releases it anyway
            }
            closeQuietly();
        }
    }
}
