package io.nanofleet.ota.client;

import io.nanofleet.ota.metadata.TufException;

import java.net.URI;

/** Fetches small documents (metadata) with a hard size limit, so an endless response cannot exhaust memory. */
public interface Fetcher {
    byte[] fetch(URI uri, long maxLength) throws TufException.FetchException, TufException.LengthOrHashException;
}
