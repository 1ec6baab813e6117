package io.nanofleet.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.nanofleet.server.StartupException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.Flyway;

/**
 * The server's database: connection pool, schema migrations, and the read queries the API needs.
 * The {@code devices} table is {@link DeviceStore}'s alone ({@link #device}, {@link #devices} and
 * {@link #onlineCount} hand over to it). Writes from device traffic go through {@link BatchWriter}, never
 * through here, so the MQTT and HTTP threads never wait on disk.
 */
public final class FleetStore implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final DeviceStore devices = new DeviceStore(this);

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
            var flyway = Flyway.configure().dataSource(ds).locations(migrationLocations(sqlite));
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

    /**
     * Where the migrations are: {@code common} holds those both databases run as they are, the vendor folder
     * the versions whose SQL differs. A version is in exactly one of them. Files keep their names and bytes when
     * they move between folders: Flyway validates the version and description (from the name) and a checksum
     * of the content, never the folder, so databases migrated before a move still validate
     * ({@code AbstractStoreContract} pins them).
     */
    static String[] migrationLocations(boolean sqlite) {
        return new String[] {"classpath:db/migration/common", "classpath:db/migration/" + (sqlite ? "sqlite" : "postgresql")};
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

    /** The device rows and their tags: every statement on {@code devices} is there. */
    public DeviceStore deviceStore() {
        return devices;
    }

    /** Every device; see {@link DeviceStore#devices}. */
    public List<DeviceRow> devices() throws SQLException {
        return devices.devices(null, null);
    }

    /** Devices, optionally only those in {@code group} and/or carrying {@code tag}; see {@link DeviceStore#devices}. */
    public List<DeviceRow> devices(String group, String tag) throws SQLException {
        return devices.devices(group, tag);
    }

    public Optional<DeviceRow> device(String deviceId) throws SQLException {
        return devices.device(deviceId);
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
        return devices.onlineCount();
    }

    /** As {@link #onlineCount()}, or -1 when the database cannot answer (for gauges, which must not throw). */
    public long onlineCountOrUnknown() {
        try {
            return onlineCount();
        } catch (SQLException e) {
            return -1;
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
