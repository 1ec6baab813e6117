package io.nanofleet.server.identity;

/** A certificate signing request that cannot be accepted; the message says why (answered as 400). */
public final class CsrException extends RuntimeException {
    public CsrException(String message) {
        super(message);
    }
}
