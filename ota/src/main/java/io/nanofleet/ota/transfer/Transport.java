package io.nanofleet.ota.transfer;

import io.nanofleet.ota.metadata.TufException;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;

/** Moves target bytes from a server to the device, starting at an offset so interrupted transfers resume. */
public interface Transport {
    /** Receives bytes in order; may throw to abort (e.g. too many bytes, disk full). */
    interface Sink {
        void accept(ByteBuffer chunk) throws IOException, TufException;
    }

    /** URI schemes this transport handles, e.g. "http", "https" or "coap". */
    boolean supports(String scheme);

    /**
     * Streams the resource from byte {@code offset} to its end into {@code sink}.
     *
     * @throws TufException.FetchException on network failure or an error status (TimeoutException when it stalls)
     */
    void fetch(URI uri, long offset, Sink sink) throws IOException, TufException;
}
