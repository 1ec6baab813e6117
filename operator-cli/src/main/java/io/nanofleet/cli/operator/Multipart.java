package io.nanofleet.cli.operator;

import java.io.FileNotFoundException;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Flow;
import java.util.function.LongConsumer;

/**
 * A {@code multipart/form-data} body streamed from disk (models may be megabytes): text fields, then files,
 * with its exact length announced (so the server can refuse an oversized upload before reading it), and every
 * byte handed to the connection counted for a progress bar.
 */
public final class Multipart {
    private final String boundary = "nanofleet-" + UUID.randomUUID();
    private final List<HttpRequest.BodyPublisher> parts = new ArrayList<>();

    public Multipart field(String name, String value) {
        parts.add(HttpRequest.BodyPublishers.ofString("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name
                + "\"\r\n\r\n" + value + "\r\n", StandardCharsets.UTF_8));
        return this;
    }

    public Multipart file(String name, Path file) throws FileNotFoundException {
        String fileName = file.getFileName().toString().replace("\"", "_").replace("\r", "_").replace("\n", "_");
        parts.add(HttpRequest.BodyPublishers.ofString("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name
                + "\"; filename=\"" + fileName + "\"\r\nContent-Type: application/octet-stream\r\n\r\n", StandardCharsets.UTF_8));
        parts.add(HttpRequest.BodyPublishers.ofFile(file));
        parts.add(HttpRequest.BodyPublishers.ofString("\r\n", StandardCharsets.UTF_8));
        return this;
    }

    public String contentType() {
        return "multipart/form-data; boundary=" + boundary;
    }

    /** The body; {@code progress} is told the running count of bytes handed to the connection. */
    public HttpRequest.BodyPublisher publisher(LongConsumer progress) {
        List<HttpRequest.BodyPublisher> all = new ArrayList<>(parts);
        all.add(HttpRequest.BodyPublishers.ofString("--" + boundary + "--\r\n", StandardCharsets.UTF_8));
        return new Counting(HttpRequest.BodyPublishers.concat(all.toArray(new HttpRequest.BodyPublisher[0])), progress);
    }

    private static final class Counting implements HttpRequest.BodyPublisher {
        private final HttpRequest.BodyPublisher delegate;
        private final LongConsumer progress;

        Counting(HttpRequest.BodyPublisher delegate, LongConsumer progress) {
            this.delegate = delegate;
            this.progress = progress;
        }

        @Override
        public long contentLength() {
            return delegate.contentLength();
        }

        @Override
        public void subscribe(Flow.Subscriber<? super ByteBuffer> s) {
            delegate.subscribe(new Flow.Subscriber<ByteBuffer>() {
                private long sent;

                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                    s.onSubscribe(subscription);
                }

                @Override
                public void onNext(ByteBuffer item) {
                    sent += item.remaining();
                    progress.accept(sent);
                    s.onNext(item);
                }

                @Override
                public void onError(Throwable throwable) {
                    s.onError(throwable);
                }

                @Override
                public void onComplete() {
                    s.onComplete();
                }
            });
        }
    }
}
