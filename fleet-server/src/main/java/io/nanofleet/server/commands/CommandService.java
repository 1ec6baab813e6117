package io.nanofleet.server.commands;

import io.nanofleet.protocols.v1.Command;
import io.nanofleet.server.ingest.Downlinks;
import io.nanofleet.server.store.DeviceRow;
import io.nanofleet.server.store.FleetStore;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * Sends commands to one device, a group or a tag query, and tracks their results. Commands to
 * enrolled devices are signed with the server's command key; devices first seen on the plain
 * development listener have no command key, so theirs go unsigned (an enrolled agent refuses those).
 * A command still SENT after its expiry is reported EXPIRED: the agent refuses it past that time anyway.
 */
public final class CommandService {
    public static final int MAX_TARGETS = 10_000;

    private final java.util.function.Predicate<String> revoked;
    private final FleetStore store;
    private final Downlinks gateway;
    private final CommandSigner signer;
    private final LongSupplier clock;

    /** One tracked command. */
    public record Tracked(String commandId, String batchId, String deviceId, String action, long issuedMs, long expiresMs,
                          String status, String resultMessage, Long resultMs, boolean signed, String issuedBy) {
        public JsonObject toJson() {
            return new JsonObject().put("commandId", commandId).put("batchId", batchId).put("deviceId", deviceId)
                    .put("action", action).put("issuedMs", issuedMs).put("expiresMs", expiresMs).put("status", status)
                    .put("resultMessage", resultMessage).put("resultMs", resultMs).put("signed", signed).put("issuedBy", issuedBy);
        }
    }

    /** Exactly one of deviceId, group, tag. */
    public record Target(String deviceId, String group, String tag) {
        public String describe() {
            return deviceId != null ? "device:" + deviceId : group != null ? "group:" + group : "tag:" + tag;
        }
    }

    public CommandService(FleetStore store, Downlinks gateway, CommandSigner signer, LongSupplier clock) {
        this(store, gateway, signer, clock, id -> false);
    }

    /** @param revoked whether a device is revoked: it gets no commands (one device: refused; group or tag: left out) */
    public CommandService(FleetStore store, Downlinks gateway, CommandSigner signer, LongSupplier clock,
                          java.util.function.Predicate<String> revoked) {
        this.revoked = revoked;
        this.store = store;
        this.gateway = gateway;
        this.signer = signer;
        this.clock = clock;
    }

    /** Resolves the target, records and publishes one command per device; blocking. Refusals are {@link CommandException}s. */
    public List<Tracked> send(Target target, String action, Map<String, String> arguments, long ttlMs, String issuedBy)
            throws Exception {
        List<DeviceRow> devices;
        if (target.deviceId() != null) {
            devices = store.device(target.deviceId()).map(List::of).orElse(List.of());
            if (devices.isEmpty()) {
                throw new CommandException(CommandException.Reason.UNKNOWN_DEVICE, "unknown device " + target.deviceId());
            }
            if (revoked.test(target.deviceId())) {
                throw new CommandException(CommandException.Reason.REVOKED_DEVICE, "device " + target.deviceId()
                        + " is revoked: its certificates are no longer valid and it cannot receive commands");
            }
        } else {
            devices = new ArrayList<>(store.devices(target.group(), target.tag()));
            devices.removeIf(d -> revoked.test(d.deviceId()));
        }
        if (devices.isEmpty()) {
            throw new CommandException(CommandException.Reason.NO_MATCHING_DEVICE, "no device matches " + target.describe());
        }
        if (devices.size() > MAX_TARGETS) {
            throw new CommandException(CommandException.Reason.TOO_MANY_DEVICES, target.describe() + " matches " + devices.size() + " devices; at most " + MAX_TARGETS);
        }
        String batchId = target.deviceId() != null ? null : UUID.randomUUID().toString();
        long now = clock.getAsLong();
        List<Tracked> out = new ArrayList<>();
        for (DeviceRow d : devices) {
            Command.Builder b = Command.newBuilder().setDeviceId(d.deviceId()).setCommandId(UUID.randomUUID().toString())
                    .setAction(action).setIssuedAtMs(now).setExpiresAtMs(now + ttlMs).putAllArguments(arguments);
            boolean sign = !"dev".equals(d.registration());
            Command c = sign ? signer.sign(b.build()) : b.build();
            Tracked t = new Tracked(c.getCommandId(), batchId, d.deviceId(), action, now, c.getExpiresAtMs(), "SENT", null, null,
                    sign, issuedBy);
            insert(t, new JsonObject(new java.util.HashMap<>(arguments)).encode());
            gateway.send(c);
            out.add(t);
        }
        return out;
    }

    private void insert(Tracked t, String args) throws SQLException {
        try (Connection c = store.connection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO commands (command_id, device_id, action, issued_ms, expires_ms, "
                     + "status, batch_id, signed, issued_by, arguments) VALUES (?,?,?,?,?,?,?,?,?,?)")) {
            ps.setString(1, t.commandId());
            ps.setString(2, t.deviceId());
            ps.setString(3, t.action());
            ps.setLong(4, t.issuedMs());
            ps.setLong(5, t.expiresMs());
            ps.setString(6, t.status());
            ps.setString(7, t.batchId());
            ps.setInt(8, t.signed() ? 1 : 0);
            ps.setString(9, t.issuedBy());
            ps.setString(10, args);
            ps.executeUpdate();
        }
    }

    private static final String COLUMNS = "command_id, batch_id, device_id, action, issued_ms, expires_ms, status, result_message, "
            + "result_ms, signed, issued_by";

    public java.util.Optional<Tracked> get(String commandId) throws SQLException {
        List<Tracked> l = query("command_id = ?", commandId, 1);
        return l.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(l.get(0));
    }

    public List<Tracked> byBatch(String batchId) throws SQLException {
        return query("batch_id = ?", batchId, MAX_TARGETS);
    }

    public List<Tracked> byDevice(String deviceId, int limit) throws SQLException {
        return query("device_id = ?", deviceId, limit);
    }

    /** Marks commands still SENT after their expiry as EXPIRED; returns how many. */
    public int expireOverdue() throws SQLException {
        try (Connection c = store.connection();
             PreparedStatement ps = c.prepareStatement("UPDATE commands SET status = 'EXPIRED' WHERE status = 'SENT' AND expires_ms < ?")) {
            ps.setLong(1, clock.getAsLong());
            return ps.executeUpdate();
        }
    }

    private List<Tracked> query(String where, String arg, int limit) throws SQLException {
        long now = clock.getAsLong();
        try (Connection c = store.connection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM commands WHERE " + where
                     + " ORDER BY issued_ms DESC, device_id LIMIT ?")) {
            ps.setString(1, arg);
            ps.setInt(2, limit);
            List<Tracked> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long resultMs = rs.getLong(9);
                    Long result = rs.wasNull() ? null : resultMs;
                    String status = rs.getString(7);
                    if ("SENT".equals(status) && rs.getLong(6) < now) {
                        status = "EXPIRED";
                    }
                    out.add(new Tracked(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5),
                            rs.getLong(6), status, rs.getString(8), result, rs.getInt(10) == 1, rs.getString(11)));
                }
            }
            return out;
        }
    }
}
