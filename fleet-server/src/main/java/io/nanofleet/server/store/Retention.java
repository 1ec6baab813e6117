package io.nanofleet.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Downsampling: raw summaries older than the retention period become per-hour aggregates (count,
 * min, max, mean, last), merged into any aggregate already there, and the raw rows folded in are
 * deleted in the same transaction, by key, so a late summary arriving meanwhile is never lost.
 * Events (anomaly windows included) and commands are kept.
 */
public final class Retention {
    static final long HOUR_MS = 3_600_000L;
    static final int CHUNK = 20_000;

    private final FleetStore store;
    private final Duration rawRetention;
    private final LongSupplier clock;

    public record HourlyRow(String channel, long hourStartMs, long windows, long count, double min, double max, double mean,
                            double last) {}

    public Retention(FleetStore store, Duration rawRetention, LongSupplier clock) {
        this.store = store;
        this.rawRetention = rawRetention;
        this.clock = clock;
    }

    private static final class Agg {
        final String device;
        final String channel;
        final long hour;
        long windows;
        long count;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum;
        double last;
        long lastEnd = Long.MIN_VALUE;

        Agg(String device, String channel, long hour) {
            this.device = device;
            this.channel = channel;
            this.hour = hour;
        }
    }

    private record Key(String device, long sequence, String channel) {}

    /** Folds everything older than the retention period; returns the number of raw rows folded. Blocking. */
    public long run() throws SQLException {
        long cutoff = clock.getAsLong() - rawRetention.toMillis();
        long total = 0;
        while (true) {
            int n = foldChunk(cutoff);
            total += n;
            if (n < CHUNK) {
                return total;
            }
        }
    }

    private int foldChunk(long cutoff) throws SQLException {
        try (Connection c = store.connection()) {
            c.setAutoCommit(false);
            try {
                Map<String, Agg> aggs = new LinkedHashMap<>();
                List<Key> keys = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT device_id, sequence, channel, window_start_ms, window_end_ms, sample_count, min_value, max_value, "
                                + "mean_value, last_value FROM summaries WHERE window_end_ms < ? LIMIT ?")) {
                    ps.setLong(1, cutoff);
                    ps.setInt(2, CHUNK);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            String device = rs.getString(1);
                            String channel = rs.getString(3);
                            long hour = Math.floorDiv(rs.getLong(4), HOUR_MS) * HOUR_MS;
                            keys.add(new Key(device, rs.getLong(2), channel));
                            Agg a = aggs.computeIfAbsent(device + '\u0000' + channel + '\u0000' + hour, k -> new Agg(device, channel, hour));
                            long count = rs.getLong(6);
                            a.windows++;
                            a.count += count;
                            a.min = Math.min(a.min, rs.getDouble(7));
                            a.max = Math.max(a.max, rs.getDouble(8));
                            a.sum += rs.getDouble(9) * count;
                            long end = rs.getLong(5);
                            if (end >= a.lastEnd) {
                                a.lastEnd = end;
                                a.last = rs.getDouble(10);
                            }
                        }
                    }
                }
                if (keys.isEmpty()) {
                    c.rollback();
                    return 0;
                }
                // Portable upsert (SQLite and PostgreSQL): CASE instead of LEAST/GREATEST, which SQLite lacks.
                try (PreparedStatement up = c.prepareStatement(
                        "INSERT INTO summaries_hourly (device_id, channel, hour_start_ms, windows, sample_count, min_value, max_value, "
                                + "sum_value, last_value, last_end_ms) VALUES (?,?,?,?,?,?,?,?,?,?) "
                                + "ON CONFLICT (device_id, channel, hour_start_ms) DO UPDATE SET "
                                + "windows = summaries_hourly.windows + excluded.windows, "
                                + "sample_count = summaries_hourly.sample_count + excluded.sample_count, "
                                + "min_value = CASE WHEN excluded.min_value < summaries_hourly.min_value THEN excluded.min_value ELSE summaries_hourly.min_value END, "
                                + "max_value = CASE WHEN excluded.max_value > summaries_hourly.max_value THEN excluded.max_value ELSE summaries_hourly.max_value END, "
                                + "sum_value = summaries_hourly.sum_value + excluded.sum_value, "
                                + "last_value = CASE WHEN excluded.last_end_ms >= summaries_hourly.last_end_ms THEN excluded.last_value ELSE summaries_hourly.last_value END, "
                                + "last_end_ms = CASE WHEN excluded.last_end_ms >= summaries_hourly.last_end_ms THEN excluded.last_end_ms ELSE summaries_hourly.last_end_ms END");
                     PreparedStatement del = c.prepareStatement("DELETE FROM summaries WHERE device_id = ? AND sequence = ? AND channel = ?")) {
                    for (Agg a : aggs.values()) {
                        up.setString(1, a.device);
                        up.setString(2, a.channel);
                        up.setLong(3, a.hour);
                        up.setLong(4, a.windows);
                        up.setLong(5, a.count);
                        up.setDouble(6, a.min);
                        up.setDouble(7, a.max);
                        up.setDouble(8, a.sum);
                        up.setDouble(9, a.last);
                        up.setLong(10, a.lastEnd);
                        up.addBatch();
                    }
                    up.executeBatch();
                    for (Key k : keys) {
                        del.setString(1, k.device());
                        del.setLong(2, k.sequence());
                        del.setString(3, k.channel());
                        del.addBatch();
                    }
                    del.executeBatch();
                }
                c.commit();
                return keys.size();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Hourly aggregates of one device, newest first. */
    public List<HourlyRow> hourly(String deviceId, int limit) throws SQLException {
        try (Connection c = store.connection();
             PreparedStatement ps = c.prepareStatement("SELECT channel, hour_start_ms, windows, sample_count, min_value, max_value, "
                     + "sum_value, last_value FROM summaries_hourly WHERE device_id = ? ORDER BY hour_start_ms DESC, channel LIMIT ?")) {
            ps.setString(1, deviceId);
            ps.setInt(2, limit);
            List<HourlyRow> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long count = rs.getLong(4);
                    out.add(new HourlyRow(rs.getString(1), rs.getLong(2), rs.getLong(3), count, rs.getDouble(5), rs.getDouble(6),
                            count == 0 ? 0 : rs.getDouble(7) / count, rs.getDouble(8)));
                }
            }
            return out;
        }
    }
}
