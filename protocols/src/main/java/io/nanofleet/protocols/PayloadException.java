package io.nanofleet.protocols;

/** A payload that was refused, with a machine-readable reason (counted in metrics) and a readable message. */
public final class PayloadException extends Exception {
    public enum Reason {
        /** Zero bytes. */
        EMPTY,
        /** Larger than the limit for its message type; rejected before parsing. */
        OVERSIZED,
        /** The bytes end in the middle of a field. */
        TRUNCATED,
        /** Not a valid protobuf encoding (bad tag, bad varint, invalid UTF-8...). */
        MALFORMED,
        /** Valid protobuf, but of another message type (or carries no kind). */
        WRONG_TYPE,
        /** schema_version missing (0). */
        MISSING_VERSION,
        /** A required field is missing or out of range, e.g. a bad device id. */
        INVALID_FIELD
    }

    private final Reason reason;

    public PayloadException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public PayloadException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
