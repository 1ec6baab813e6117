package io.nanofleet.server.store;

import io.nanofleet.protocols.v1.DeviceState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Every SQL statement on the {@code devices} table and its {@code device_tags}. Reads take a pooled
 * connection; writes that belong to a caller's transaction (enrollment, revocation, the batch writer's
 * batch) take that transaction's {@link Connection} and never commit it.
 */
public final class DeviceStore {
    static final String DEVICE_COLUMNS = "device_id, online, first_seen_ms, last_seen_ms, agent_version, hardware_id, channels, "
            + "group_name, registration";

    private final FleetStore store;

    DeviceStore(FleetStore store) {
        this.store = store;
    }

    /** Devices, optionally only those in {@code group} and/or carrying {@code tag}, by device id. */
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
        try (Connection c = store.connection()) {
            Map<String, List<String>> tags = allTags(c);
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

    private static Map<String, List<String>> allTags(Connection c) throws SQLException {
        Map<String, List<String>> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT device_id, tag FROM device_tags ORDER BY device_id, tag");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
            }
        }
        return out;
    }

    public Optional<DeviceRow> device(String deviceId) throws SQLException {
        try (Connection c = store.connection();
             PreparedStatement ps = c.prepareStatement("SELECT " + DEVICE_COLUMNS + " FROM devices WHERE device_id = ?")) {
            List<String> tags = tags(c, deviceId);
            ps.setString(1, deviceId);
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

    /** A device's tags, sorted; empty for an unknown device. */
    public List<String> tags(String deviceId) throws SQLException {
        try (Connection c = store.connection()) {
            return tags(c, deviceId);
        }
    }

    private static List<String> tags(Connection c, String deviceId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT tag FROM device_tags WHERE device_id = ? ORDER BY tag")) {
            ps.setString(1, deviceId);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }

    public long onlineCount() throws SQLException {
        try (Connection c = store.connection(); PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM devices WHERE online = 1");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Inside the caller's transaction: records an enrolled device (a new row offline, or an existing one, e.g.
     * auto-registered on the development listener, turned {@code enrolled}) and replaces its tags.
     */
    public void enrolled(Connection c, String deviceId, String group, List<String> tags, String hardwareId, String agentVersion,
                         long nowMs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO devices (device_id, online, first_seen_ms, last_seen_ms, agent_version, hardware_id, "
                        + "group_name, registration, enrolled_ms) VALUES (?,0,?,?,?,?,?,'enrolled',?) "
                        + "ON CONFLICT (device_id) DO UPDATE SET registration = 'enrolled', enrolled_ms = excluded.enrolled_ms, "
                        + "group_name = excluded.group_name, agent_version = excluded.agent_version, "
                        + "hardware_id = excluded.hardware_id")) {
            ps.setString(1, deviceId);
            ps.setLong(2, nowMs);
            ps.setLong(3, nowMs);
            ps.setString(4, agentVersion);
            ps.setString(5, hardwareId);
            ps.setString(6, group);
            ps.setLong(7, nowMs);
            ps.executeUpdate();
        }
        replaceTags(c, deviceId, tags);
    }

    /** Inside the caller's transaction: marks the device offline (no-op for an unknown device). */
    public void markOffline(Connection c, String deviceId) throws SQLException {
        try (PreparedStatement off = c.prepareStatement("UPDATE devices SET online = 0 WHERE device_id = ?")) {
            off.setString(1, deviceId);
            off.executeUpdate();
        }
    }

    /** Sets group (null clears) and, unless {@code tags} is null, replaces the tags, in one transaction; false if the device is unknown. */
    public boolean setGroupAndTags(String deviceId, String group, List<String> tags) throws SQLException {
        try (Connection c = store.connection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("UPDATE devices SET group_name = ? WHERE device_id = ?")) {
                ps.setString(1, group);
                ps.setString(2, deviceId);
                if (ps.executeUpdate() != 1) {
                    c.rollback();
                    return false;
                }
                if (tags != null) {
                    replaceTags(c, deviceId, tags);
                }
                c.commit();
                return true;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static void replaceTags(Connection c, String deviceId, List<String> tags) throws SQLException {
        try (PreparedStatement d = c.prepareStatement("DELETE FROM device_tags WHERE device_id = ?");
             PreparedStatement i = c.prepareStatement("INSERT INTO device_tags (device_id, tag) VALUES (?,?)")) {
            d.setString(1, deviceId);
            d.executeUpdate();
            for (String t : new TreeSet<>(tags)) {
                i.setString(1, deviceId);
                i.setString(2, t);
                i.addBatch();
            }
            i.executeBatch();
        }
    }

    /** Batched device writes on the caller's connection and transaction (the batch writer's batch). */
    public Batch batch(Connection c) throws SQLException {
        return new Batch(c);
    }

    /**
     * Reported states and last-seen times, added up and sent in two JDBC batches by {@link #execute()}:
     * states first, then last-seen times. Closing it closes its statements, not the connection.
     */
    public static final class Batch implements AutoCloseable {
        private final PreparedStatement state;
        private final PreparedStatement seen;

        private Batch(Connection c) throws SQLException {
            state = c.prepareStatement(
                    "INSERT INTO devices (device_id, online, first_seen_ms, last_seen_ms, state_ts_ms, agent_version, hardware_id, channels) "
                            + "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (device_id) DO UPDATE SET online = excluded.online, "
                            + "last_seen_ms = excluded.last_seen_ms, state_ts_ms = excluded.state_ts_ms, "
                            + "agent_version = excluded.agent_version, hardware_id = excluded.hardware_id, channels = excluded.channels");
            try {
                seen = c.prepareStatement(
                        "INSERT INTO devices (device_id, online, first_seen_ms, last_seen_ms) VALUES (?,1,?,?) "
                                // Never backwards: a state written since may carry a newer time.
                                + "ON CONFLICT (device_id) DO UPDATE SET last_seen_ms = CASE WHEN excluded.last_seen_ms > "
                                + "devices.last_seen_ms THEN excluded.last_seen_ms ELSE devices.last_seen_ms END");
            } catch (SQLException e) {
                state.close();
                throw e;
            }
        }

        /** A reported state received at {@code receivedMs}: creates the device row or updates it. */
        public void state(DeviceState st, long receivedMs) throws SQLException {
            state.setString(1, st.getDeviceId());
            state.setInt(2, st.getStatus() == DeviceState.Status.ONLINE ? 1 : 0);
            state.setLong(3, receivedMs);
            state.setLong(4, receivedMs);
            state.setLong(5, st.getTimestampMs());
            state.setString(6, st.getAgentVersion());
            state.setString(7, st.getHardwareId());
            state.setString(8, String.join(",", st.getChannelsList()));
            state.addBatch();
        }

        /** Traffic seen at {@code receivedMs}: creates the device row (online) or moves its last-seen time forward. */
        public void seen(String deviceId, long receivedMs) throws SQLException {
            seen.setString(1, deviceId);
            seen.setLong(2, receivedMs);
            seen.setLong(3, receivedMs);
            seen.addBatch();
        }

        /** Sends the states, then the last-seen times; run it before anything that refers to a device row. */
        public void execute() throws SQLException {
            state.executeBatch();
            seen.executeBatch();
        }

        @Override
        public void close() throws SQLException {
            try {
                state.close();
            } finally {
                seen.close();
            }
        }
    }
}
