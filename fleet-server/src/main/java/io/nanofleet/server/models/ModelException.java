package io.nanofleet.server.models;

/** A model upload or lookup refused for a reason the operator can fix; carries the HTTP status to answer. */
public final class ModelException extends Exception {
    private final int status;

    public ModelException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
