package io.nanofleet.server.identity;

import io.nanofleet.server.api.auth.ApiTokens;
import io.nanofleet.server.store.FleetStore;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Device identity in the database: one-time enrollment tokens (only their SHA-256 is stored),
 * certificate issue on enrollment, revocation, groups and tags.
 */
public final class Identity {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final FleetStore store;
    private final DeviceCa ca;
    private final CertificateRegistry registry;
    private final LongSupplier clock;

    public record TokenGrant(String token, String deviceId, long expiresMs) {}

    public record Enrolled(String deviceId, X509Certificate certificate) {}

    public Identity(FleetStore store, DeviceCa ca, CertificateRegistry registry, LongSupplier clock) {
        this.store = store;
        this.ca = ca;
        this.registry = registry;
        this.clock = clock;
    }

    public DeviceCa ca() {
        return ca;
    }

    public CertificateRegistry registry() {
        return registry;
    }

    public TokenGrant createToken(String deviceId, long ttlSeconds, String group, List<String> tags, String createdBy)
            throws SQLException {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        long now = clock.getAsLong();
        long expires = now + ttlSeconds * 1000;
        try (Connection c = store.connection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO enrollment_tokens (token_hash, device_id, group_name, tags, "
                     + "created_ms, expires_ms, created_by) VALUES (?,?,?,?,?,?,?)")) {
            ps.setString(1, ApiTokens.hash(token));
            ps.setString(2, deviceId);
            ps.setString(3, group);
            ps.setString(4, String.join(",", tags));
            ps.setLong(5, now);
            ps.setLong(6, expires);
            ps.setString(7, createdBy);
            ps.executeUpdate();
        }
        return new TokenGrant(token, deviceId, expires);
    }

    /**
     * Checks the token and the CSR, marks the token used, issues the certificate and records the
     * device, all in one transaction: a refused request leaves nothing behind, and a bad CSR does not
     * burn the token (the device may retry with a correct one).
     */
    public Enrolled enroll(String token, String csrPem, String hardwareId, String agentVersion) throws SQLException {
        long now = clock.getAsLong();
        try (Connection c = store.connection()) {
            c.setAutoCommit(false);
            try {
                String deviceId;
                String group;
                String tags;
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT device_id, group_name, tags, expires_ms, used_ms FROM enrollment_tokens WHERE token_hash = ?")) {
                    ps.setString(1, ApiTokens.hash(token));
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new EnrollmentException(401, "unknown_token", "unknown enrollment token; ask an admin for a new one");
                        }
                        deviceId = rs.getString(1);
                        group = rs.getString(2);
                        tags = rs.getString(3);
                        long expires = rs.getLong(4);
                        rs.getLong(5);
                        if (!rs.wasNull()) {
                            throw new EnrollmentException(409, "token_used", "this enrollment token was already used");
                        }
                        if (expires <= now) {
                            throw new EnrollmentException(401, "expired_token", "this enrollment token expired; ask an admin for a new one");
                        }
                    }
                }
                PublicKey key;
                try {
                    key = DeviceCa.checkCsr(csrPem, deviceId);
                } catch (CsrException e) {
                    throw new EnrollmentException(400, "bad_csr", e.getMessage());
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE enrollment_tokens SET used_ms = ? WHERE token_hash = ? AND used_ms IS NULL")) {
                    ps.setLong(1, now);
                    ps.setString(2, ApiTokens.hash(token));
                    if (ps.executeUpdate() != 1) {
                        throw new EnrollmentException(409, "token_used", "this enrollment token was already used");
                    }
                }
                X509Certificate cert = ca.issueDevice(deviceId, key, now, DeviceCa.DEVICE_VALIDITY);
                String serial = DeviceCa.serialHex(cert);
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO certificates (serial, device_id, issued_ms, not_after_ms, pem) VALUES (?,?,?,?,?)")) {
                    ps.setString(1, serial);
                    ps.setString(2, deviceId);
                    ps.setLong(3, now);
                    ps.setLong(4, cert.getNotAfter().getTime());
                    ps.setString(5, Pem.encode(cert));
                    ps.executeUpdate();
                }
                store.deviceStore().enrolled(c, deviceId, group, tags == null || tags.isEmpty() ? List.of() : List.of(tags.split(",")),
                        hardwareId, agentVersion, now);
                c.commit();
                registry.issued(serial, deviceId);
                return new Enrolled(deviceId, cert);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Revokes every certificate of the device; returns the serials revoked now (empty if none were active). */
    public List<String> revokeDevice(String deviceId) throws SQLException {
        List<String> serials = new ArrayList<>();
        try (Connection c = store.connection()) {
            c.setAutoCommit(false);
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT serial FROM certificates WHERE device_id = ? AND revoked_ms IS NULL")) {
                q.setString(1, deviceId);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        serials.add(rs.getString(1));
                    }
                }
                try (PreparedStatement u = c.prepareStatement(
                        "UPDATE certificates SET revoked_ms = ? WHERE device_id = ? AND revoked_ms IS NULL")) {
                    u.setLong(1, clock.getAsLong());
                    u.setString(2, deviceId);
                    u.executeUpdate();
                }
                // A revoked device's last will is refused like the rest of its traffic: mark it offline here.
                store.deviceStore().markOffline(c, deviceId);
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
        serials.forEach(registry::revoked);
        return serials;
    }

    /** Sets group (null clears) and replaces tags (unless null); false if the device is unknown. */
    public boolean setGroupAndTags(String deviceId, String group, List<String> tags) throws SQLException {
        return store.deviceStore().setGroupAndTags(deviceId, group, tags);
    }

    public List<String> tags(String deviceId) throws SQLException {
        return store.deviceStore().tags(deviceId);
    }
}
