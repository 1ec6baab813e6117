package io.nanofleet.server.audit;

import io.nanofleet.server.api.auth.Principal;
import io.nanofleet.server.store.FleetStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Append-only record of every state-changing action: who (token name and id), what (action and
 * detail), when, and on which target. There is no update or delete here, and the schema refuses
 * them with triggers, so a bug or a compromised API path cannot quietly rewrite history.
 */
public final class AuditLog {
    private final FleetStore store;
    private final LongSupplier clock;

    public record Entry(long id, long tsMs, String actor, String actorId, String action, String target, String detail) {}

    public AuditLog(FleetStore store, LongSupplier clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Appends one entry; blocking (database). {@code detail} is free text, usually compact JSON. */
    public void record(Principal who, String action, String target, String detail) throws SQLException {
        try (Connection c = store.connection();
             PreparedStatement ps = c.prepareStatement(
                     "INSERT INTO audit_log (ts_ms, actor, actor_id, action, target, detail) VALUES (?,?,?,?,?,?)")) {
            ps.setLong(1, clock.getAsLong());
            ps.setString(2, who.name());
            ps.setString(3, who.tokenId());
            ps.setString(4, action);
            ps.setString(5, target);
            ps.setString(6, detail);
            ps.executeUpdate();
        }
    }

    /**
     * Appends an entry made by the server itself ({@code actor} names the part: {@code broker},
     * {@code rollout-engine}), with no API token behind it.
     */
    public void recordSystem(String actor, String action, String target, String detail) throws SQLException {
        record(new Principal("-", actor, null), action, target, detail);
    }

    /**
     * Newest first. Filters are optional (null = any): action prefix, target, entries before id
     * (for paging back).
     */
    public List<Entry> query(String actionPrefix, String target, Long beforeId, int limit) throws SQLException {
        StringBuilder sql = new StringBuilder(
                "SELECT id, ts_ms, actor, actor_id, action, target, detail FROM audit_log WHERE 1=1");
        List<Object> args = new ArrayList<>();
        if (actionPrefix != null) {
            sql.append(" AND action LIKE ?");
            args.add(actionPrefix.replace("%", "") + "%");
        }
        if (target != null) {
            sql.append(" AND target = ?");
            args.add(target);
        }
        if (beforeId != null) {
            sql.append(" AND id < ?");
            args.add(beforeId);
        }
        sql.append(" ORDER BY id DESC LIMIT ?");
        args.add(limit);
        try (Connection c = store.connection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            List<Entry> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Entry(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6), rs.getString(7)));
                }
            }
            return out;
        }
    }
}
