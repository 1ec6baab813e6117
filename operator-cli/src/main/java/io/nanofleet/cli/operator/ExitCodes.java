package io.nanofleet.cli.operator;

/**
 * What {@code nanofleet} exits with. Scripts may rely on these; operator-cli/README.md lists them.
 */
public final class ExitCodes {
    /** Done; for {@code command send}: every device answered OK; for {@code rollouts watch}: the rollout completed. */
    public static final int OK = 0;
    /**
     * The operation failed: the server refused it (4xx other than 401/403, or 5xx), a device's command failed,
     * was rejected or went unanswered, or the watched rollout was aborted or paused by its health gate.
     */
    public static final int FAILED = 1;
    /** Bad flags or arguments, nothing configured to talk to, or a confirmation that could not be asked. */
    public static final int USAGE = 2;
    /** {@code rollouts watch --until-paused}: an operator paused the rollout (nothing failed). */
    public static final int PAUSED = 3;
    /** The server refused the token (401: unknown or revoked) or its role (403). */
    public static final int AUTH = 4;
    /** The server could not be reached (connection, TLS, timeout) or did not answer like a NanoFleet server. */
    public static final int UNREACHABLE = 5;

    private ExitCodes() {
    }
}
