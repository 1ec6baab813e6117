package io.nanofleet.protocols;

/** A topic or CoAP path that is not one of ours, or that names an invalid device. */
public final class InvalidAddressException extends IllegalArgumentException {
    public InvalidAddressException(String message) {
        super(message);
    }
}
