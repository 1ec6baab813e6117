package io.nanofleet.ota.client;

import io.nanofleet.ota.metadata.TufException;
import io.nanofleet.ota.transfer.StallGuard;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;

/** Metadata over HTTP(S) with java.net.http: size-capped, with a read timeout that catches stalled bodies. */
public final class HttpFetcher implements Fetcher {
    private final HttpClient client;
    private final Duration readTimeout;
    private final StallGuard.SpeedLimit speedLimit;

    public HttpFetcher(Duration connectTimeout, Duration readTimeout) {
        this(connectTimeout, readTimeout, StallGuard.SpeedLimit.DEFAULT);
    }

    public HttpFetcher(Duration connectTimeout, Duration readTimeout, StallGuard.SpeedLimit speedLimit) {
        this.speedLimit = speedLimit;
        this.client = HttpClient.newBuilder().connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        this.readTimeout = readTimeout;
    }

    public HttpFetcher() {
        this(Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    @Override
    public byte[] fetch(URI uri, long maxLength) throws TufException.FetchException, TufException.LengthOrHashException {
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(readTimeout).GET().build();
        StallGuard.Response resp;
        try {
            resp = StallGuard.send(client, req, readTimeout, speedLimit);
        } catch (IOException e) {
            throw new TufException.FetchException("cannot fetch " + uri + ": " + e, -1, e);
        }
        try (InputStream in = resp.body) {
            if (resp.status != 200) {
                throw new TufException.FetchException("HTTP " + resp.status + " for " + uri, resp.status, null);
            }
            StallGuard.rejectHtml(resp, uri);
            long declared = resp.headers.firstValueAsLong("Content-Length").orElse(-1);
            if (declared > maxLength) {
                throw new TufException.LengthOrHashException(uri + " is " + declared + " bytes, limit " + maxLength);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (out.size() + (long) n > maxLength) {
                    throw new TufException.LengthOrHashException(uri + " exceeds the " + maxLength + " byte limit (endless data?)");
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (StallGuard.StalledException e) {
            throw new TufException.TimeoutException(uri + ": " + e.getMessage() + ", giving up");
        } catch (IOException e) {
            throw new TufException.FetchException("connection lost fetching " + uri + ": " + e, -1, e);
        }
    }
}
