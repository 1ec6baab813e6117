package io.nanofleet.server.api.auth;

/** Who made a request: the token's id and name (shown in the audit log) and its role. */
public record Principal(String tokenId, String name, Role role) {
    /** Requests that need no token (enrollment, where the one-time token is the credential). */
    public static final Principal ANONYMOUS = new Principal("-", "anonymous", null);
}
