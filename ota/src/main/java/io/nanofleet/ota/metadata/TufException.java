package io.nanofleet.ota.metadata;

/**
 * Every way update metadata or a target can be refused. Each subclass names one failed check, so callers
 * (and the LwM2M result code mapping) can tell an attack from a network hiccup.
 */
public class TufException extends Exception {
    private static final long serialVersionUID = 1L;

    public TufException(String message) {
        super(message);
    }

    public TufException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Not parseable, wrong _type, missing or ill-typed field, unsupported spec version. */
    public static class FormatException extends TufException {
        private static final long serialVersionUID = 1L;

        public FormatException(String message) {
            super(message);
        }

        public FormatException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Fewer valid signatures from distinct authorized keys than the role's threshold. */
    public static class SignatureException extends TufException {
        private static final long serialVersionUID = 1L;

        public SignatureException(String message) {
            super(message);
        }
    }

    /** Metadata expired relative to the injected clock (freeze attack). */
    public static class ExpiredException extends TufException {
        private static final long serialVersionUID = 1L;

        public ExpiredException(String message) {
            super(message);
        }
    }

    /** Version lower than trusted, or not the version the referencing metadata names (rollback, mix-and-match). */
    public static class VersionException extends TufException {
        private static final long serialVersionUID = 1L;

        public VersionException(String message) {
            super(message);
        }
    }

    /** Same version as already trusted: nothing new, not an error for the caller to report. */
    public static class EqualVersionException extends VersionException {
        private static final long serialVersionUID = 1L;

        public EqualVersionException(String message) {
            super(message);
        }
    }

    /** Bytes do not match the length or hashes that trusted metadata promised (or exceed a length limit). */
    public static class LengthOrHashException extends TufException {
        private static final long serialVersionUID = 1L;

        public LengthOrHashException(String message) {
            super(message);
        }
    }

    /** Transport failure: connection refused, HTTP error, timeout, stalled body. */
    public static class FetchException extends TufException {
        private static final long serialVersionUID = 1L;
        private final int status;

        public FetchException(String message, int status, Throwable cause) {
            super(message, cause);
            this.status = status;
        }

        /** HTTP status if there was one, else -1. */
        public int status() {
            return status;
        }

        public boolean notFound() {
            return status == 404 || status == 403;
        }
    }

    /** The stalled-transfer case of {@link FetchException}, kept apart so callers can retry differently. */
    public static class TimeoutException extends FetchException {
        private static final long serialVersionUID = 1L;

        public TimeoutException(String message) {
            super(message, -1, null);
        }
    }

    /** No trusted targets metadata lists the requested target. */
    public static class TargetNotFoundException extends TufException {
        private static final long serialVersionUID = 1L;

        public TargetNotFoundException(String message) {
            super(message);
        }
    }

    /** A director assignment does not match the image repository, the device, or anti-rollback state. */
    public static class AssignmentException extends TufException {
        private static final long serialVersionUID = 1L;

        public AssignmentException(String message) {
            super(message);
        }
    }
}
