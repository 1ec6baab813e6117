package io.nanofleet.ota.transfer;

import io.nanofleet.ota.metadata.TufException;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.time.Duration;

/** HTTP(S) with "Range: bytes=N-" resume; works with servers that ignore Range (bytes are skipped). */
public final class HttpTransport implements Transport {
    private final HttpClient client;
    private final Duration readTimeout;
    private final StallGuard.SpeedLimit speedLimit;

    public HttpTransport(Duration connectTimeout, Duration readTimeout) {
        this(connectTimeout, readTimeout, StallGuard.SpeedLimit.DEFAULT);
    }

    public HttpTransport(Duration connectTimeout, Duration readTimeout, StallGuard.SpeedLimit speedLimit) {
        this.speedLimit = speedLimit;
        this.client = HttpClient.newBuilder().connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        this.readTimeout = readTimeout;
    }

    @Override
    public boolean supports(String scheme) {
        return "http".equals(scheme) || "https".equals(scheme);
    }

    @Override
    public void fetch(URI uri, long offset, Sink sink) throws IOException, TufException {
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(readTimeout).GET();
        if (offset > 0) {
            rb.header("Range", "bytes=" + offset + "-");
        }
        StallGuard.Response resp;
        try {
            resp = StallGuard.send(client, rb.build(), readTimeout, speedLimit);
        } catch (IOException e) {
            throw new TufException.FetchException("cannot reach " + uri + ": " + e, -1, e);
        }
        IOException sinkFailure = null;
        try (InputStream in = resp.body) {
            long skip;
            if (resp.status == 206) {
                skip = 0;
            } else if (resp.status == 200) {
                skip = offset;
            } else if (resp.status == 416 && offset > 0) {
                return;
            } else {
                throw new TufException.FetchException("HTTP " + resp.status + " for " + uri, resp.status, null);
            }
            StallGuard.rejectHtml(resp, uri);
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) >= 0) {
                int from = 0;
                if (skip > 0) {
                    from = (int) Math.min(skip, n);
                    skip -= from;
                }
                if (n > from) {
                    try {
                        sink.accept(ByteBuffer.wrap(buf, from, n - from));
                    } catch (IOException e) {
                        // local (disk) failure, not the network's: report it as is
                        sinkFailure = e;
                        break;
                    }
                }
            }
        } catch (StallGuard.StalledException e) {
            throw new TufException.TimeoutException(uri + ": " + e.getMessage() + " (server stalled)");
        } catch (IOException e) {
            throw new TufException.FetchException("connection lost during " + uri + ": " + e, -1, e);
        }
        if (sinkFailure != null) {
            throw sinkFailure;
        }
    }
}
