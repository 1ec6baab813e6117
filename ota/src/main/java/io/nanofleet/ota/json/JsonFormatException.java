package io.nanofleet.ota.json;

import java.io.IOException;

/** The bytes are not a JSON document this code accepts. */
public class JsonFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public JsonFormatException(String message) {
        super(message);
    }

    public JsonFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
