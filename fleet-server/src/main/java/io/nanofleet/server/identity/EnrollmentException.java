package io.nanofleet.server.identity;

/** Enrollment refused: 400 bad request/CSR, 401 unknown or expired token, 409 token already used. */
public final class EnrollmentException extends RuntimeException {
    private final int status;
    private final String reason;

    public EnrollmentException(int status, String reason, String message) {
        super(message);
        this.status = status;
        this.reason = reason;
    }

    public int status() {
        return status;
    }

    /** Short, fixed metric label: bad_request, bad_csr, unknown_token, expired_token, token_used. */
    public String reason() {
        return reason;
    }
}
