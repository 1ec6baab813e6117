package io.nanofleet.server;

/** The server could not start; the message says what to change (usually a flag). */
public final class StartupException extends RuntimeException {
    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
