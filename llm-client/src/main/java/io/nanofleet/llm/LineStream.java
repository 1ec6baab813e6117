package io.nanofleet.llm;

import java.io.IOException;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One HTTP response read as its head, then line by line, each with its own deadline.
 *
 * <p>Why not {@code BodyHandlers.ofInputStream()}: a read on it blocks with no timeout, and {@code HttpRequest.timeout}
 * stops counting once the head is in, so a server that goes silent mid-stream would hang the caller forever.
 * Here the HTTP client pushes lines into a queue and the caller polls it with whatever time it has left; lines
 * are requested one at a time, so a fast server cannot fill memory behind a slow consumer.
 */
final class LineStream implements Flow.Subscriber<String> {
    static final class Head {
        final int status;
        final HttpHeaders headers;

        Head(int status, HttpHeaders headers) {
            this.status = status;
            this.headers = headers;
        }
    }

    private static final Object END = new Object();

    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private volatile Flow.Subscription subscription;
    private volatile boolean cancelled;
    private volatile boolean ended;
    private volatile CompletableFuture<?> exchange;

    /** The handler to pass to {@code HttpClient.sendAsync}. */
    HttpResponse.BodyHandler<Void> handler() {
        return info -> {
            events.add(new Head(info.statusCode(), info.headers()));
            return BodySubscribers.fromLineSubscriber(this, s -> null, StandardCharsets.UTF_8, null);
        };
    }

    /** Failures before the head (refused connection, request timeout) only show on the exchange's future. */
    void attach(CompletableFuture<?> exchange) {
        this.exchange = exchange;
        exchange.whenComplete((r, e) -> {
            if (e != null) {
                events.add(unwrap(e));
            }
        });
    }

    /**
     * @throws TimeoutException when nothing came within {@code wait}
     * @throws IOException when the exchange failed before the head
     */
    Head awaitHead(Duration wait) throws IOException, TimeoutException, InterruptedException {
        Object e = take(wait);
        if (e instanceof Head) {
            return (Head) e;
        }
        throw failure(e);
    }

    /**
     * The next line without its terminator, or null once the body ended normally.
     *
     * @throws TimeoutException when no line came within {@code wait}
     * @throws IOException when the body broke off
     */
    String nextLine(Duration wait) throws IOException, TimeoutException, InterruptedException {
        if (ended) {
            return null;
        }
        Object e = take(wait);
        if (e instanceof String) {
            Flow.Subscription s = subscription;
            if (s != null) {
                s.request(1);
            }
            return (String) e;
        }
        if (e == END) {
            ended = true;
            return null;
        }
        throw failure(e);
    }

    /** Stops the exchange; the connection is dropped unless the body was already read to its end. */
    void cancel() {
        cancelled = true;
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
        CompletableFuture<?> x = exchange;
        if (x != null) {
            x.cancel(true);
        }
    }

    private Object take(Duration wait) throws TimeoutException, InterruptedException {
        long nanos = Math.max(0, wait.toNanos());
        Object e = events.poll(nanos, TimeUnit.NANOSECONDS);
        if (e == null) {
            throw new TimeoutException();
        }
        return e;
    }

    private static IOException failure(Object e) {
        if (e instanceof IOException) {
            return (IOException) e;
        }
        if (e instanceof Throwable) {
            return new IOException(((Throwable) e).toString(), (Throwable) e);
        }
        return new IOException("unexpected " + e);
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (cancelled) {
            s.cancel();
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(String line) {
        events.add(line);
    }

    @Override
    public void onError(Throwable t) {
        events.add(unwrap(t));
    }

    @Override
    public void onComplete() {
        events.add(END);
    }
}
