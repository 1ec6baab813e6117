package io.nanofleet.ota.repo;

import io.nanofleet.ota.metadata.TufException;

/**
 * A publish that {@link Repository#publishSignedTargets} (offline-signed targets metadata, or a file uploaded
 * with it) or {@link Repository#addTarget} refused, or an offline-signed root that {@link Repository#initFromSigned}
 * refused. Nothing in the repository changed. The reason says which check failed, so a caller can tell a stale
 * upload (try again with the next version) from a bad one.
 */
public final class PublishException extends TufException {
    private static final long serialVersionUID = 1L;

    /** Which check failed. */
    public enum Reason {
        /** Not parseable as TUF targets metadata. */
        NOT_TARGETS_METADATA,
        /** Not signed by a threshold of root's targets keys. */
        BAD_SIGNATURE,
        /** Not the version after the repository's newest targets metadata. */
        WRONG_VERSION,
        /** Already expired by the repository's clock. */
        EXPIRED,
        /** A file was given for a target the metadata does not list. */
        NOT_LISTED,
        /** A file's length or hashes differ from what the metadata lists for it. */
        MISMATCH,
        /** The metadata lists a target that was neither given nor is already in the repository. */
        MISSING_TARGET,
        /** Not parseable as TUF root metadata, or not version 1, or not signed by a threshold of its own root keys. */
        NOT_ROOT_METADATA,
        /** Root names other keys for an online role (snapshot, timestamp, director) than the repository holds. */
        ONLINE_KEYS_DIFFER,
        /** The repository already has a root: a new one comes by root rotation, not by initialization. */
        ROOT_EXISTS,
        /**
         * A published target would change: same name, other length, hashes or custom fields. Published targets
         * are immutable (devices and caches know them by name); publish under a new name.
         */
        TARGET_IMMUTABLE,
        /** A published target would be replaced with a lower release counter (devices refuse to go below it). */
        RELEASE_COUNTER_LOWERED
    }

    private final Reason reason;

    public PublishException(Reason reason, String message) {
        this(reason, message, null);
    }

    public PublishException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
