package io.nanofleet.sim.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Watches the server's SQLite database for new summary rows (by rowid, so each poll is an index range
 * scan) and records, per row, the time from the device's publish ({@code window_end_ms}) to when the
 * row became visible to a reader: device-to-stored latency, over-estimated by at most the poll interval.
 */
final class StoredWatcher implements AutoCloseable {
    private final Connection c;
    private final PreparedStatement ps;
    private long lastRowid;
    private long rows;
    private final Latencies latencies = new Latencies();
    private volatile boolean measuring;

    StoredWatcher(Path db) throws SQLException {
        c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath() + "?open_mode=1");
        ps = c.prepareStatement("SELECT rowid, window_end_ms FROM summaries WHERE rowid > ? ORDER BY rowid LIMIT 100000");
    }

    /** Reads everything new; returns how many rows it saw. */
    synchronized int poll() throws SQLException {
        long now = System.currentTimeMillis();
        ps.setLong(1, lastRowid);
        int seen = 0;
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                lastRowid = rs.getLong(1);
                if (measuring) {
                    latencies.add(now - rs.getLong(2));
                }
                seen++;
            }
        }
        rows += seen;
        return seen;
    }

    void measuring(boolean on) {
        measuring = on;
    }

    synchronized long rows() {
        return rows;
    }

    synchronized Latencies latencies() {
        return latencies;
    }

    @Override
    public void close() throws SQLException {
        c.close();
    }
}
