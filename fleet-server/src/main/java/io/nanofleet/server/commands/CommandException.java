package io.nanofleet.server.commands;

/**
 * A command send refused for a reason the operator can fix. The message is meant for the operator; the
 * reason says which kind of refusal it is ({@link CommandRoutes} turns it into an HTTP status).
 */
public final class CommandException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Which kind of refusal. */
    public enum Reason {
        /** The one device named is not known. */
        UNKNOWN_DEVICE,
        /** The group or tag matches no device. */
        NO_MATCHING_DEVICE,
        /** The group or tag matches more devices than one send may reach. */
        TOO_MANY_DEVICES,
        /** The one device named is revoked. */
        REVOKED_DEVICE
    }

    private final Reason reason;

    public CommandException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
