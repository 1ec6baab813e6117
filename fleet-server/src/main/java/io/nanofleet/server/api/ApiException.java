package io.nanofleet.server.api;

/** A request error with its HTTP status, thrown from blocking handlers and answered as {"error": message}. */
public final class ApiException extends RuntimeException {
    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
