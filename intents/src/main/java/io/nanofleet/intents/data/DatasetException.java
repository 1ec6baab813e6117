package io.nanofleet.intents.data;

/** A dataset that cannot be read, with the file and line at fault. */
public final class DatasetException extends Exception {
    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
