package io.nanofleet.server.rollout;

import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Rollouts in the database (tables from migration V10). The leader writes documents and steps; any
 * instance may insert a rollout or record an operator's request, which the leader applies.
 */
public final class RolloutStore {
    private final PostgresLeaderElection.Connections connections;

    public RolloutStore(PostgresLeaderElection.Connections connections) {
        this.connections = connections;
    }

    public record Step(long seq, long tsMs, String actor, String step, String detail) {}

    public record Request(String action, String by) {}

    public void insert(Rollout r, long now) throws SQLException {
        try (Connection c = connections.get();
             PreparedStatement ps = c.prepareStatement("INSERT INTO rollouts (rollout_id, model, state, doc, created_ms, updated_ms) "
                     + "VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, r.id());
            ps.setString(2, r.model());
            ps.setString(3, r.state().name());
            ps.setString(4, r.toJson().encode());
            ps.setLong(5, now);
            ps.setLong(6, now);
            ps.executeUpdate();
        }
    }

    public void save(Rollout r, long now) throws SQLException {
        try (Connection c = connections.get();
             PreparedStatement ps = c.prepareStatement("UPDATE rollouts SET state = ?, doc = ?, updated_ms = ? WHERE rollout_id = ?")) {
            ps.setString(1, r.state().name());
            ps.setString(2, r.toJson().encode());
            ps.setLong(3, now);
            ps.setString(4, r.id());
            ps.executeUpdate();
        }
    }

    /**
     * Records an operator request; false when the rollout does not exist, has ended (aborted, completed) or
     * has an abort waiting (a later request must not replace it).
     */
    public boolean request(String id, String action, String by) throws SQLException {
        try (Connection c = connections.get();
             PreparedStatement ps = c.prepareStatement("UPDATE rollouts SET requested_action = ?, requested_by = ? WHERE rollout_id = ?"
                     + " AND state NOT IN ('ABORTED', 'COMPLETED') AND (requested_action IS NULL OR requested_action <> 'abort')")) {
            ps.setString(1, action);
            ps.setString(2, by);
            ps.setString(3, id);
            return ps.executeUpdate() == 1;
        }
    }

    /** Takes the pending request off the rollout (only if it is still the one read). */
    public Optional<Request> takeRequest(String id) throws SQLException {
        try (Connection c = connections.get()) {
            String action;
            String by;
            try (PreparedStatement ps = c.prepareStatement("SELECT requested_action, requested_by FROM rollouts WHERE rollout_id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || rs.getString(1) == null) {
                        return Optional.empty();
                    }
                    action = rs.getString(1);
                    by = rs.getString(2);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE rollouts SET requested_action = NULL WHERE rollout_id = ? AND requested_action = ?")) {
                ps.setString(1, id);
                ps.setString(2, action);
                return ps.executeUpdate() == 1 ? Optional.of(new Request(action, by)) : Optional.empty();
            }
        }
    }

    /** Rollouts the leader must look at: running, or paused with a request waiting. */
    public List<Rollout> active() throws SQLException {
        return query("SELECT doc FROM rollouts WHERE state = 'RUNNING' OR requested_action IS NOT NULL ORDER BY created_ms", null);
    }

    public List<Rollout> all() throws SQLException {
        return query("SELECT doc FROM rollouts ORDER BY created_ms DESC", null);
    }

    public Optional<Rollout> get(String id) throws SQLException {
        return query("SELECT doc FROM rollouts WHERE rollout_id = ?", id).stream().findFirst();
    }

    private List<Rollout> query(String sql, String arg) throws SQLException {
        try (Connection c = connections.get(); PreparedStatement ps = c.prepareStatement(sql)) {
            if (arg != null) {
                ps.setString(1, arg);
            }
            List<Rollout> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(Rollout.fromJson(new JsonObject(rs.getString(1))));
                }
            }
            return out;
        }
    }

    public void step(String id, long now, String actor, String step, String detail) throws SQLException {
        try (Connection c = connections.get();
             PreparedStatement ps = c.prepareStatement("INSERT INTO rollout_steps (rollout_id, seq, ts_ms, actor, step, detail) "
                     + "SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ? FROM rollout_steps WHERE rollout_id = ?")) {
            ps.setString(1, id);
            ps.setLong(2, now);
            ps.setString(3, actor);
            ps.setString(4, step);
            ps.setString(5, detail);
            ps.setString(6, id);
            ps.executeUpdate();
        }
    }

    public List<Step> steps(String id) throws SQLException {
        try (Connection c = connections.get();
             PreparedStatement ps = c.prepareStatement("SELECT seq, ts_ms, actor, step, detail FROM rollout_steps "
                     + "WHERE rollout_id = ? ORDER BY seq")) {
            ps.setString(1, id);
            List<Step> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Step(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5)));
                }
            }
            return out;
        }
    }
}
