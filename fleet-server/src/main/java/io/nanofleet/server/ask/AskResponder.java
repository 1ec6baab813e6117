package io.nanofleet.server.ask;

import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.DaemonThreads;
import io.nanofleet.protocols.v1.Answer;
import io.nanofleet.server.ingest.AskReply;
import io.nanofleet.server.ingest.DeviceMessage;
import io.nanofleet.server.ingest.Downlinks;
import io.nanofleet.server.ingest.IngestListener;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of the device's "ask" hand-over: an ingest bus listener ({@code Scope.ONCE}: each query is
 * answered once across all server instances) that answers every {@link DeviceMessage.Ask} through the
 * {@link Answerer} and sends the answer back where the device asked for it.
 *
 * <ul>
 *   <li>MQTT: the answer goes to the query's MQTT 5 response topic (none: {@code nf/v1/d/{id}/answers}) with the
 *       query's correlation data, QoS 1, through {@link Downlinks#sendAnswer}. A response topic outside the asking
 *       device's own subtree, or on one of its wire channels, is refused ({@link ResponseTopics}): counted,
 *       logged, and nothing is published anywhere.</li>
 *   <li>CoAP ({@link AskReply.Direct}): the answer goes to the transport, which sends it as the response body.</li>
 *   <li>Never silence: an answerer that throws, fails, returns null or takes longer than the timeout gives the
 *       device an {@code ok=false} answer with an error. Only a refused response topic, or a broker that cannot
 *       take the answer (counted as undelivered), leaves the device without one.</li>
 * </ul>
 *
 * <p>Threads: {@link #onMessage} runs on the transport's thread and only queues the query; worker threads
 * call the answerer and publish. While the queue is full {@link #hasRoom()} is false, so the broker holds the
 * device's PUBACK (the ingest bus's back-pressure, shared with storage).
 */
public final class AskResponder implements IngestListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AskResponder.class);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_THREADS = 2;
    public static final int DEFAULT_QUEUE = 1024;
    /** Refused response topics are logged at WARN at most this often (a device could send many). */
    static final long REFUSAL_WARN_INTERVAL_MS = 60_000;

    private final Answerer answerer;
    private final LongSupplier clock;
    private final Duration timeout;
    private final ThreadPoolExecutor workers;
    private final AskCounters counters = new AskCounters();
    private final AtomicLong lastRefusalWarnMs = new AtomicLong(Long.MIN_VALUE / 2);
    private final AtomicLong refusalsSinceWarn = new AtomicLong();
    private volatile Downlinks downlinks;

    public AskResponder(Answerer answerer, LongSupplier clock) {
        this(answerer, clock, DEFAULT_THREADS, DEFAULT_QUEUE, DEFAULT_TIMEOUT);
    }

    /**
     * @param threads       worker threads (answerer calls and publishes)
     * @param queueCapacity queries waiting for a worker before {@link #hasRoom()} turns false
     * @param timeout       how long the answerer's stage may take before the device gets an {@code ok=false} answer
     */
    public AskResponder(Answerer answerer, LongSupplier clock, int threads, int queueCapacity, Duration timeout) {
        this.answerer = answerer;
        this.clock = clock;
        this.timeout = timeout;
        // Completions that arrive on other threads (timeouts, an asynchronous answerer) are handed to the workers;
        // when their queue is full the completing thread delivers itself instead of blocking or dropping.
        this.workers = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queueCapacity),
                DaemonThreads.numbered("nanofleet-ask"), new ThreadPoolExecutor.CallerRunsPolicy());
        workers.prestartAllCoreThreads();
    }

    /** Where MQTT answers are published (set once the broker or the server's MQTT client exists). */
    public AskResponder answerThrough(Downlinks downlinks) {
        this.downlinks = downlinks;
        return this;
    }

    public AskCounters counters() {
        return counters;
    }

    @Override
    public void onMessage(DeviceMessage message) {
        if (!(message instanceof DeviceMessage.Ask ask)) {
            return;
        }
        counters.received();
        DeviceQuery query = new DeviceQuery(ask.deviceId(), ask.query(), ask.receivedMs());
        Consumer<Answer> deliver;
        if (ask.reply() instanceof AskReply.Direct direct) {
            deliver = answer -> {
                direct.sink().accept(answer);
                answered(query, answer, "the transport's reply");
            };
        } else {
            AskReply.Mqtt mqtt = (AskReply.Mqtt) ask.reply();
            ResponseTopics.Verdict verdict = ResponseTopics.check(query.deviceId(), mqtt.responseTopic());
            if (!verdict.allowed()) {
                refused(query, mqtt.responseTopic(), verdict.refusal());
                return;
            }
            deliver = answer -> publish(query, verdict.topic(), answer, mqtt.correlationData());
        }
        Runnable task = () -> answer(query, deliver);
        try {
            workers.getQueue().put(task); // the core threads are started: a queued task runs; blocks only while full
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            task.run(); // interrupted while waiting for room: answer here rather than not at all
        }
    }

    /** False while the query queue is full, when {@link #onMessage} would block. */
    @Override
    public boolean hasRoom() {
        return workers.getQueue().remainingCapacity() > 0;
    }

    private void answer(DeviceQuery query, Consumer<Answer> deliver) {
        CompletableFuture<Answer> result = new CompletableFuture<>();
        try {
            CompletionStage<Answer> stage = answerer.answer(query);
            if (stage == null) {
                result.completeExceptionally(new IllegalStateException(answerer.getClass().getName() + " returned no stage"));
            } else {
                stage.whenComplete((a, e) -> {
                    if (e != null) {
                        result.completeExceptionally(e);
                    } else {
                        result.complete(a);
                    }
                });
            }
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
        result.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((a, e) -> {
            Runnable finish = () -> deliver.accept(finish(query, a, e));
            try {
                workers.execute(finish);
            } catch (RuntimeException shutDown) {
                finish.run();
            }
        });
    }

    /** The answer the device gets: the answerer's, completed and checked, or an {@code ok=false} one saying why not. */
    Answer finish(DeviceQuery query, Answer answer, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof TimeoutException) {
            return failure(query, "the fleet did not answer within " + timeout.toSeconds() + " s");
        }
        if (cause != null || answer == null) {
            LOG.warn("the answerer failed on query {} from {}: {}", query.queryId(), query.deviceId(),
                    cause == null ? "no answer (null)" : cause.toString());
            return failure(query, "the fleet failed to answer this query");
        }
        Answer.Builder b = answer.toBuilder().setDeviceId(query.deviceId()).setQueryId(query.queryId());
        if (b.getSource().isEmpty()) {
            b.setSource("fleet");
        }
        if (!b.getOk() && b.getError().isEmpty()) {
            b.setError("the fleet could not answer this query");
        }
        Answer out = Codecs.ANSWER.stamp(b.build());
        if (out.getSerializedSize() > Codecs.MAX_ANSWER_BYTES) {
            LOG.warn("the answer to query {} from {} is {} bytes, over the {}-byte limit", query.queryId(), query.deviceId(),
                    out.getSerializedSize(), Codecs.MAX_ANSWER_BYTES);
            return failure(query, "the fleet's answer was too large to send");
        }
        return out;
    }

    static Answer failure(DeviceQuery query, String error) {
        return Codecs.ANSWER.stamp(Answer.newBuilder().setDeviceId(query.deviceId()).setQueryId(query.queryId()).setOk(false)
                .setSource("fleet").setError(error).build());
    }

    private void publish(DeviceQuery query, String topic, Answer answer, byte[] correlationData) {
        Downlinks d = downlinks;
        try {
            if (d == null) {
                throw new IllegalStateException("no downlink path yet");
            }
            d.sendAnswer(topic, answer, correlationData);
        } catch (Exception e) {
            counters.undelivered();
            LOG.warn("could not publish the answer to query {} from {} on {}: {}", query.queryId(), query.deviceId(), topic,
                    (e.getCause() != null ? e.getCause() : e).toString());
            return;
        }
        answered(query, answer, topic);
    }

    private void answered(DeviceQuery query, Answer answer, String where) {
        counters.answered(answer.getOk());
        if (LOG.isDebugEnabled()) {
            LOG.debug("answered query {} from {} on {}: ok={} source={} after {} ms{}", query.queryId(), query.deviceId(), where,
                    answer.getOk(), answer.getSource(), clock.getAsLong() - query.receivedMs(),
                    answer.getOk() ? "" : " (" + answer.getError() + ")");
        }
    }

    private void refused(DeviceQuery query, String responseTopic, ResponseTopics.Refusal reason) {
        counters.refused(reason);
        long now = clock.getAsLong();
        long last = lastRefusalWarnMs.get();
        long suppressed = refusalsSinceWarn.incrementAndGet() - 1;
        if (now - last >= REFUSAL_WARN_INTERVAL_MS && lastRefusalWarnMs.compareAndSet(last, now)) {
            refusalsSinceWarn.set(0);
            LOG.warn("refused to answer query {} from {} on response topic '{}': {}, nothing published{}", query.queryId(),
                    query.deviceId(), shorten(responseTopic), reason.name().toLowerCase(java.util.Locale.ROOT),
                    suppressed > 0 ? " (" + suppressed + " more refusals since the last warning)" : "");
        } else {
            LOG.debug("refused to answer query {} from {} on response topic '{}': {}", query.queryId(), query.deviceId(),
                    shorten(responseTopic), reason);
        }
    }

    /** A device-supplied topic, fit for one log line: control characters replaced, at most 120 characters. */
    static String shorten(String s) {
        if (s == null) {
            return null;
        }
        String cut = s.length() <= 120 ? s : s.substring(0, 120) + "...";
        StringBuilder b = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return b.toString();
    }

    /** Stops the workers; queries still queued get no answer (the server is shutting down). */
    @Override
    public void close() {
        workers.shutdown();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
