package io.nanofleet.server.identity;

import io.nanofleet.server.store.FleetStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which certificate serials belong to which device and which are revoked: the broker asks this on
 * every connection attempt, so it answers from memory. It is loaded from the database at start,
 * updated at once by enrollment and revocation on this instance, and re-read by {@link #reload()}
 * (the server does so periodically) to pick up other instances' changes.
 */
public final class CertificateRegistry {
    private record Cert(String deviceId, boolean revoked) {}

    private final FleetStore store;
    private final Map<String, Cert> serials = new ConcurrentHashMap<>();

    public CertificateRegistry(FleetStore store) {
        this.store = store;
    }

    public void reload() throws SQLException {
        try (Connection c = store.connection();
             PreparedStatement ps = c.prepareStatement("SELECT serial, device_id, revoked_ms FROM certificates");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String serial = rs.getString(1);
                String device = rs.getString(2);
                rs.getLong(3);
                serials.put(serial, new Cert(device, !rs.wasNull()));
            }
        }
    }

    void issued(String serial, String deviceId) {
        serials.put(serial, new Cert(deviceId, false));
    }

    void revoked(String serial) {
        serials.computeIfPresent(serial, (k, v) -> new Cert(v.deviceId(), true));
    }

    /** Null when a client presenting this certificate may connect as {@code cn}; otherwise the reason. */
    public String refusal(String serialHex, String cn) {
        Cert c = serials.get(serialHex);
        if (c == null) {
            return "certificate " + serialHex + " was not issued to an enrolled device";
        }
        if (!c.deviceId().equals(cn)) {
            return "certificate " + serialHex + " belongs to " + c.deviceId() + ", not " + cn;
        }
        if (c.revoked()) {
            return "certificate " + serialHex + " of " + cn + " is revoked";
        }
        return null;
    }

    /** True when the device holds at least one certificate that is not revoked. */
    public boolean isEnrolled(String deviceId) {
        return serials.values().stream().anyMatch(c -> c.deviceId().equals(deviceId) && !c.revoked());
    }

    /** True when the device has certificates and all are revoked. */
    public boolean isRevoked(String deviceId) {
        boolean any = false;
        for (Cert c : serials.values()) {
            if (c.deviceId().equals(deviceId)) {
                if (!c.revoked()) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }
}
