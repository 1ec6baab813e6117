package io.nanofleet.server.audit;

import io.vertx.core.json.JsonObject;
import java.sql.SQLException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records in the audit log that a client took over a connected device's MQTT session (device id, listener).
 * Runs on the broker's extension threads; a failed write is logged, never thrown back into the broker.
 */
public final class TakeoverAudit implements BiConsumer<String, String> {
    private static final Logger LOG = LoggerFactory.getLogger(TakeoverAudit.class);
    private final AuditLog audit;

    public TakeoverAudit(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public void accept(String deviceId, String listener) {
        try {
            audit.recordSystem("broker", "device.session-takeover", "device:" + deviceId,
                    new JsonObject().put("listener", listener).encode());
        } catch (SQLException e) {
            LOG.warn("session takeover of {} not recorded in the audit log: {}", deviceId, e.toString());
        }
    }
}
