package io.nanofleet.ota.transfer;

import io.nanofleet.ota.metadata.TufException;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * java.net.http's request timeout stops at the response headers; a server that sends headers and then
 * goes silent would block a plain body stream forever. This body subscriber enforces a per-read
 * timeout and requests one chunk at a time, so memory stays bounded whatever the body size.
 */
public final class StallGuard {
    private StallGuard() {
    }

    /** Status, headers and a body stream that throws {@link StalledException} after a read timeout of silence. */
    public static final class Response {
        public final int status;
        public final HttpHeaders headers;
        public final InputStream body;

        Response(int status, HttpHeaders headers, InputStream body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }
    }

    /**
     * Slow-retrieval defence (TUF threat list): abort when fewer than {@code bytesPerSecond} arrived on
     * average over {@code window}, like curl's --speed-limit/--speed-time. A drip-feeding server would
     * otherwise never trip the per-read timeout.
     */
    public record SpeedLimit(long bytesPerSecond, Duration window) {
        /** Lenient enough for NB-IoT class links (about 2.5 kB/s). */
        public static final SpeedLimit DEFAULT = new SpeedLimit(256, Duration.ofSeconds(30));
    }

    public static Response send(HttpClient client, HttpRequest req, Duration readTimeout) throws IOException {
        return send(client, req, readTimeout, SpeedLimit.DEFAULT);
    }

    /**
     * Returns once headers arrived; the body is pulled one chunk at a time by the caller's reads. (A
     * {@code BodySubscribers.fromSubscriber} handler would not return before the body completed.)
     */
    public static Response send(HttpClient client, HttpRequest req, Duration readTimeout, SpeedLimit limit) throws IOException {
        HttpResponse<Flow.Publisher<List<ByteBuffer>>> resp;
        try {
            resp = client.send(req, HttpResponse.BodyHandlers.ofPublisher());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for " + req.uri());
        }
        GuardedStream stream = new GuardedStream(readTimeout, limit);
        resp.body().subscribe(stream);
        return new Response(resp.statusCode(), resp.headers(), stream);
    }

    /** HTML where data was expected is almost always a captive portal or a wrong URL, never an update. */
    public static void rejectHtml(Response resp, URI uri) throws TufException.FetchException {
        HttpHeaders h = resp.headers;
        String ct = h.firstValue("Content-Type").orElse("");
        if (ct.toLowerCase(java.util.Locale.ROOT).startsWith("text/html")) {
            throw new TufException.FetchException("unexpected Content-Type " + ct + " from " + uri
                    + " (expected JSON or binary data; check the repository URL)", resp.status, null);
        }
    }

    /** No bytes arrived within the read timeout. */
    public static final class StalledException extends IOException {
        private static final long serialVersionUID = 1L;

        StalledException(String message) {
            super(message);
        }
    }

    private static final class GuardedStream extends InputStream implements Flow.Subscriber<List<ByteBuffer>> {
        private static final Object END = new Object();
        private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        private final long timeoutNanos;
        private final SpeedLimit limit;
        private long windowStart = System.nanoTime();
        private long windowBytes;
        private volatile Flow.Subscription subscription;
        private List<ByteBuffer> current = List.of();
        private int index;
        private boolean done;

        GuardedStream(Duration timeout, SpeedLimit limit) {
            this.timeoutNanos = timeout.toNanos();
            this.limit = limit;
        }

        private void checkSpeed(long received) throws StalledException {
            windowBytes += received;
            long elapsed = System.nanoTime() - windowStart;
            long window = limit.window().toNanos();
            if (elapsed >= window) {
                double rate = windowBytes / (elapsed / 1e9);
                if (rate < limit.bytesPerSecond()) {
                    close();
                    throw new StalledException(String.format(java.util.Locale.ROOT,
                            "transfer slower than %d B/s over %d ms (%.0f B/s): slow retrieval",
                            limit.bytesPerSecond(), limit.window().toMillis(), rate));
                }
                windowStart = System.nanoTime();
                windowBytes = 0;
            }
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> item) {
            queue.add(item);
        }

        @Override
        public void onError(Throwable t) {
            queue.add(t);
        }

        @Override
        public void onComplete() {
            queue.add(END);
        }

        private ByteBuffer buffer() throws IOException {
            while (true) {
                while (index < current.size()) {
                    ByteBuffer b = current.get(index);
                    if (b.hasRemaining()) {
                        return b;
                    }
                    index++;
                }
                if (done) {
                    return null;
                }
                if (!current.isEmpty()) {
                    current = List.of();
                    subscription.request(1);
                }
                Object next;
                try {
                    next = queue.poll(timeoutNanos, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException();
                }
                if (next == null) {
                    close();
                    throw new StalledException("no data within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
                }
                if (next == END) {
                    done = true;
                    return null;
                }
                if (next instanceof Throwable) {
                    done = true;
                    Throwable t = (Throwable) next;
                    throw t instanceof IOException ? (IOException) t : new IOException(t);
                }
                @SuppressWarnings("unchecked")
                List<ByteBuffer> l = (List<ByteBuffer>) next;
                current = l.isEmpty() ? List.of(ByteBuffer.allocate(0)) : l;
                index = 0;
                long n = 0;
                for (ByteBuffer b : current) {
                    n += b.remaining();
                }
                checkSpeed(n);
            }
        }

        @Override
        public int read() throws IOException {
            ByteBuffer b = buffer();
            return b == null ? -1 : (b.get() & 0xff);
        }

        @Override
        public int read(byte[] dst, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            ByteBuffer b = buffer();
            if (b == null) {
                return -1;
            }
            int n = Math.min(len, b.remaining());
            b.get(dst, off, n);
            return n;
        }

        @Override
        public void close() {
            Flow.Subscription s = subscription;
            if (s != null && !done) {
                done = true;
                s.cancel();
            }
        }
    }
}
