package io.nanofleet.cli.operator;

/**
 * A failure the operator can act on: what went wrong, what to do next, and the exit code.
 * Printed as {@code nanofleet: <message>} and, when there is one, an indented hint.
 */
public class CliException extends RuntimeException {
    private final int exitCode;
    private final String hint;

    public CliException(int exitCode, String message, String hint) {
        super(message);
        this.exitCode = exitCode;
        this.hint = hint;
    }

    public CliException(int exitCode, String message) {
        this(exitCode, message, null);
    }

    public int exitCode() {
        return exitCode;
    }

    /** What to do next; may be null. */
    public String hint() {
        return hint;
    }
}
