package io.nanofleet.runtime;

import java.io.IOException;

/** A model file that is truncated, corrupted, of an unsupported version or structurally invalid. */
public final class ModelFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
