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
 * (the server does so periodically) to pick up other instances' changes. The ingest path asks
 * {@link #isEnrolled}/{@link #isRevoked} for every uplink, so certificates are also indexed by device.
 */
public final class CertificateRegistry {
    private record Cert(String deviceId, boolean revoked) {}

    private final FleetStore store;
    private final Map<String, Cert> serials = new ConcurrentHashMap<>();
    /** device id -> (serial -> revoked); kept in step with {@code serials} by {@link #put}. */
    private final Map<String, Map<String, Boolean>> byDevice = new ConcurrentHashMap<>();

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
                put(serial, new Cert(device, !rs.wasNull()));
            }
        }
    }

    void issued(String serial, String deviceId) {
        put(serial, new Cert(deviceId, false));
    }

    void revoked(String serial) {
        Cert c = serials.get(serial);
        if (c != null) {
            put(serial, new Cert(c.deviceId(), true));
        }
    }

    private void put(String serial, Cert cert) {
        serials.put(serial, cert);
        byDevice.computeIfAbsent(cert.deviceId(), d -> new ConcurrentHashMap<>()).put(serial, cert.revoked());
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
        Map<String, Boolean> certs = byDevice.get(deviceId);
        return certs != null && certs.containsValue(Boolean.FALSE);
    }

    /** True when the device has certificates and all are revoked. */
    public boolean isRevoked(String deviceId) {
        Map<String, Boolean> certs = byDevice.get(deviceId);
        return certs != null && !certs.isEmpty() && !certs.containsValue(Boolean.FALSE);
    }
}
