package io.nanofleet.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.nanofleet.server.StartupException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.Flyway;

/**
 * The server's database: connection pool, schema migrations, and the read queries the API needs.
 * Writes from device traffic go through {@link BatchWriter}, never through here, so the MQTT and HTTP
 * threads never wait on disk.
 */
public final class FleetStore implements AutoCloseable {
    private final HikariDataSource dataSource;

    private FleetStore(HikariDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Opens the pool and applies pending migrations. */
    public static FleetStore open(String jdbcUrl) {
        HikariConfig config = new HikariConfig();
        boolean sqlite = jdbcUrl.startsWith("jdbc:sqlite:");
        // WAL lets readers run while the batch writer commits; busy_timeout rides out the brief write lock.
        // IMMEDIATE transactions take the write lock when they begin: a transaction that reads and then writes
        // (enrollment, revocation, retention) would otherwise fail with SQLITE_BUSY_SNAPSHOT if the batch writer
        // committed in between, which no busy timeout can wait out.
        config.setJdbcUrl(sqlite && !jdbcUrl.contains("?")
                ? jdbcUrl + "?journal_mode=WAL&busy_timeout=10000&synchronous=NORMAL&transaction_mode=IMMEDIATE" : jdbcUrl);
        config.setMaximumPoolSize(sqlite ? 4 : 8);
        config.setPoolName("nanofleet-db");
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StartupException("cannot open the database " + jdbcUrl + ": " + rootMessage(e)
                    + ". Check --db (a SQLite file path or a jdbc: URL) and that its folder is writable.", e);
        }
        try {
            var flyway = Flyway.configure().dataSource(ds)
                    .locations("classpath:db/migration/" + (sqlite ? "sqlite" : "postgresql"));
            String schema = sqlite ? null : schemaOf(jdbcUrl);
            if (schema != null) {
                // currentSchema=... in the URL: keep everything (and Flyway's history) in that schema, created if absent.
                flyway.schemas(schema).defaultSchema(schema).createSchemas(true);
            }
            flyway.load().migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw new StartupException("database migration failed on " + jdbcUrl + ": " + rootMessage(e), e);
        }
        return new FleetStore(ds);
    }

    /** The {@code currentSchema} parameter of a PostgreSQL JDBC URL, or null. */
    static String schemaOf(String jdbcUrl) {
        int q = jdbcUrl.indexOf('?');
        if (q < 0) {
            return null;
        }
        for (String p : jdbcUrl.substring(q + 1).split("&")) {
            if (p.startsWith("currentSchema=")) {
                return p.substring("currentSchema=".length());
            }
        }
        return null;
    }

    public boolean isPostgres() {
        return !dataSource.getJdbcUrl().startsWith("jdbc:sqlite:");
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    public Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    static final String DEVICE_COLUMNS = "device_id, online, first_seen_ms, last_seen_ms, agent_version, hardware_id, channels, "
            + "group_name, registration";

    public List<DeviceRow> devices() throws SQLException {
        return devices(null, null);
    }

    /** Devices, optionally only those in {@code group} and/or carrying {@code tag}. */
    public List<DeviceRow> devices(String group, String tag) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + DEVICE_COLUMNS + " FROM devices d WHERE 1=1");
        List<String> args = new ArrayList<>();
        if (group != null) {
            sql.append(" AND group_name = ?");
            args.add(group);
        }
        if (tag != null) {
            sql.append(" AND EXISTS (SELECT 1 FROM device_tags t WHERE t.device_id = d.device_id AND t.tag = ?)");
            args.add(tag);
        }
        sql.append(" ORDER BY device_id");
        try (Connection c = connection()) {
            java.util.Map<String, List<String>> tags = allTags(c);
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setString(i + 1, args.get(i));
                }
                List<DeviceRow> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(device(rs, tags.getOrDefault(rs.getString(1), List.of())));
                    }
                }
                return out;
            }
        }
    }

    private static java.util.Map<String, List<String>> allTags(Connection c) throws SQLException {
        java.util.Map<String, List<String>> out = new java.util.HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT device_id, tag FROM device_tags ORDER BY device_id, tag");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
            }
        }
        return out;
    }

    public Optional<DeviceRow> device(String deviceId) throws SQLException {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement("SELECT " + DEVICE_COLUMNS + " FROM devices WHERE device_id = ?");
             PreparedStatement tq = c.prepareStatement("SELECT tag FROM device_tags WHERE device_id = ? ORDER BY tag")) {
            ps.setString(1, deviceId);
            tq.setString(1, deviceId);
            List<String> tags = new ArrayList<>();
            try (ResultSet rs = tq.executeQuery()) {
                while (rs.next()) {
                    tags.add(rs.getString(1));
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(device(rs, tags)) : Optional.empty();
            }
        }
    }

    private static DeviceRow device(ResultSet rs, List<String> tags) throws SQLException {
        String channels = rs.getString(7);
        return new DeviceRow(rs.getString(1), rs.getInt(2) == 1, rs.getLong(3), rs.getLong(4), rs.getString(5),
                rs.getString(6), channels == null || channels.isEmpty() ? List.of() : Arrays.asList(channels.split(",")),
                rs.getString(8), tags, rs.getString(9));
    }

    /** Removes a device's row and tags (its stored traffic stays, as the audit log does); false when unknown. */
    public boolean deleteDevice(String deviceId) throws SQLException {
        try (Connection c = connection();
             PreparedStatement tags = c.prepareStatement("DELETE FROM device_tags WHERE device_id = ?");
             PreparedStatement row = c.prepareStatement("DELETE FROM devices WHERE device_id = ?")) {
            tags.setString(1, deviceId);
            tags.executeUpdate();
            row.setString(1, deviceId);
            return row.executeUpdate() == 1;
        }
    }

    /** Latest summaries of one device, newest first. */
    public List<SummaryRow> summaries(String deviceId, int limit) throws SQLException {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT sequence, channel, window_start_ms, window_end_ms, sample_count, min_value, max_value, mean_value, last_value "
                             + "FROM summaries WHERE device_id = ? ORDER BY sequence DESC, channel LIMIT ?")) {
            ps.setString(1, deviceId);
            ps.setInt(2, limit);
            List<SummaryRow> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new SummaryRow(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                            rs.getDouble(6), rs.getDouble(7), rs.getDouble(8), rs.getDouble(9)));
                }
            }
            return out;
        }
    }

    public long onlineCount() throws SQLException {
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM devices WHERE online = 1");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    public long summaryCount() throws SQLException {
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM summaries");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    public List<EventRow> events(String deviceId, int limit) throws SQLException {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT event_id, sequence, event_type, ts_ms, payload FROM events WHERE device_id = ? "
                             + "ORDER BY ts_ms DESC, sequence DESC LIMIT ?")) {
            ps.setString(1, deviceId);
            ps.setInt(2, limit);
            List<EventRow> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new EventRow(deviceId, rs.getString(1), rs.getLong(2), rs.getString(3), rs.getLong(4), rs.getBytes(5)));
                }
            }
            return out;
        }
    }

    /** Records a command as sent; its result arrives later as an event. */
    public void insertCommand(CommandRow cmd) throws SQLException {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement(
                     "INSERT INTO commands (command_id, device_id, action, issued_ms, expires_ms, status) VALUES (?,?,?,?,?,?)")) {
            ps.setString(1, cmd.commandId());
            ps.setString(2, cmd.deviceId());
            ps.setString(3, cmd.action());
            ps.setLong(4, cmd.issuedMs());
            ps.setLong(5, cmd.expiresMs());
            ps.setString(6, cmd.status());
            ps.executeUpdate();
        }
    }

    public Optional<CommandRow> command(String commandId) throws SQLException {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT command_id, device_id, action, issued_ms, expires_ms, status, result_message, result_ms "
                             + "FROM commands WHERE command_id = ?")) {
            ps.setString(1, commandId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                long resultMs = rs.getLong(8);
                return Optional.of(new CommandRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                        rs.getLong(5), rs.getString(6), rs.getString(7), rs.wasNull() ? null : resultMs));
            }
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
