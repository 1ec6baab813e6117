package io.nanofleet.server.api.auth;

import io.nanofleet.server.store.FleetStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Operator API tokens. Only a SHA-256 of each token is stored: a copy of the database does not let
 * anyone call the API. Lookups are cached briefly so the event loop rarely waits for the database;
 * revocation takes effect within {@link #CACHE_MS} on other server instances and at once on this one.
 */
public final class ApiTokens {
    public static final String PREFIX = "nft_";
    static final long CACHE_MS = 10_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final FleetStore store;
    private final LongSupplier clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(Principal principal, long loadedMs) {}

    /** A token as listed to admins: never the secret itself. */
    public record TokenInfo(String tokenId, String name, Role role, long createdMs, Long revokedMs) {}

    /** A newly created token: the only time its secret is seen. */
    public record Issued(String token, TokenInfo info) {}

    public ApiTokens(FleetStore store, LongSupplier clock) {
        this.store = store;
        this.clock = clock;
    }

    public static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    static String newSecret() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Creates a token; blocking (database). */
    public Issued create(String name, Role role) throws SQLException {
        String secret = newSecret();
        TokenInfo info = new TokenInfo(UUID.randomUUID().toString(), name, role, clock.getAsLong(), null);
        try (Connection c = store.connection();
             PreparedStatement ps = c.prepareStatement(
                     "INSERT INTO api_tokens (token_id, name, role, token_hash, created_ms) VALUES (?,?,?,?,?)")) {
            ps.setString(1, info.tokenId());
            ps.setString(2, name);
            ps.setString(3, role.wireName());
            ps.setString(4, hash(secret));
            ps.setLong(5, info.createdMs());
            ps.executeUpdate();
        }
        return new Issued(secret, info);
    }

    /** True if any admin token that is not revoked exists. */
    public boolean hasActiveAdmin() throws SQLException {
        try (Connection c = store.connection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT COUNT(*) FROM api_tokens WHERE role = 'admin' AND revoked_ms IS NULL");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }

    public List<TokenInfo> list() throws SQLException {
        try (Connection c = store.connection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT token_id, name, role, created_ms, revoked_ms FROM api_tokens ORDER BY created_ms, token_id");
             ResultSet rs = ps.executeQuery()) {
            List<TokenInfo> out = new ArrayList<>();
            while (rs.next()) {
                long revoked = rs.getLong(5);
                out.add(new TokenInfo(rs.getString(1), rs.getString(2), Role.parse(rs.getString(3)), rs.getLong(4),
                        rs.wasNull() ? null : revoked));
            }
            return out;
        }
    }

    /** Revokes by id; false if no such active token. */
    public boolean revoke(String tokenId) throws SQLException {
        try (Connection c = store.connection();
             PreparedStatement ps = c.prepareStatement(
                     "UPDATE api_tokens SET revoked_ms = ? WHERE token_id = ? AND revoked_ms IS NULL")) {
            ps.setLong(1, clock.getAsLong());
            ps.setString(2, tokenId);
            boolean done = ps.executeUpdate() == 1;
            cache.values().removeIf(x -> x.principal().tokenId().equals(tokenId));
            return done;
        }
    }

    /** Cached answer, or null when the database must be asked ({@link #lookup}). Never blocks. */
    public Optional<Principal> cached(String token) {
        Cached c = cache.get(hash(token));
        if (c == null || clock.getAsLong() - c.loadedMs() > CACHE_MS) {
            return null;
        }
        return Optional.ofNullable(c.principal());
    }

    /** Database lookup; blocking. Empty for unknown or revoked tokens. */
    public Optional<Principal> lookup(String token) throws SQLException {
        if (token == null || !token.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String h = hash(token);
        try (Connection c = store.connection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT token_id, name, role FROM api_tokens WHERE token_hash = ? AND revoked_ms IS NULL")) {
            ps.setString(1, h);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Principal p = new Principal(rs.getString(1), rs.getString(2), Role.parse(rs.getString(3)));
                cache.put(h, new Cached(p, clock.getAsLong()));
                return Optional.of(p);
            }
        }
    }
}
