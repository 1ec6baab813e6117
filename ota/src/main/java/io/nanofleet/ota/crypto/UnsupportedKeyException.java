package io.nanofleet.ota.crypto;

import java.security.GeneralSecurityException;

/** A key in metadata that this client cannot use: it simply never counts toward a threshold. */
public class UnsupportedKeyException extends GeneralSecurityException {
    private static final long serialVersionUID = 1L;

    public UnsupportedKeyException(String message) {
        super(message);
    }

    public UnsupportedKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
