package io.nanofleet.server.models;

/**
 * A model upload, lookup or assignment refused for a reason the operator can fix. The message is meant
 * for the operator; the reason says which kind of refusal it is (the REST edge, {@link ModelRoutes},
 * turns it into an HTTP status).
 */
public final class ModelException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Which kind of refusal. */
    public enum Reason {
        /** No model of that name in the repository. */
        UNKNOWN_MODEL,
        /** Online signing was asked for, but this server holds no targets key. */
        NO_TARGETS_KEY,
        /** The target's name or custom fields are unusable. */
        INVALID_TARGET,
        /** Offline-signed metadata that is not targets metadata, not signed by root's targets keys, or expired. */
        INVALID_METADATA,
        /** The uploaded file is not what the signed metadata lists (or the metadata lists a target not uploaded). */
        FILE_MISMATCH,
        /** Offline-signed metadata that is not the repository's next targets version. */
        STALE_VERSION,
        /** The update channel has no trusted root yet (offline keys: an admin uploads one). */
        NO_ROOT,
        /** An uploaded root already exists. */
        ROOT_EXISTS,
        /** An uploaded root names other snapshot, timestamp or director keys than this server's. */
        ONLINE_KEYS_DIFFER,
        /** The name is published with other content or fields: published targets are immutable. */
        TARGET_IMMUTABLE,
        /** The name is published with a higher release counter. */
        RELEASE_COUNTER_LOWERED,
        /** The uploaded file is not a model of its kind that the device runtime can load. */
        INVALID_MODEL,
        /** The server cannot check files of this kind (no loader for it yet), so it does not publish them. */
        UNSUPPORTED_KIND
    }

    private final Reason reason;

    public ModelException(Reason reason, String message) {
        this(reason, message, null);
    }

    public ModelException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
