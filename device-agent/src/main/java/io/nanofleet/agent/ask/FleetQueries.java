package io.nanofleet.agent.ask;

import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.PayloadException;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.Answer;
import io.nanofleet.protocols.v1.Query;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Questions handed to the fleet: each is stored ({@link PendingQueries}) before it is sent as a {@link Query} on
 * {@code nf/v1/d/{id}/ask} with the response topic {@code nf/v1/d/{id}/answers} and its query id as correlation data
 * (QoS 1), sent again at a reconnect until the broker acknowledged it, and ends with its {@link Answer} or its
 * expiry. An answer is delivered only to the question its correlation data names, and only when its query id and
 * device id agree; anything else is ignored, logged and counted.
 */
final class FleetQueries {
    private static final Logger LOG = LoggerFactory.getLogger(FleetQueries.class);
    /** Finished questions remembered for {@code ask --id}. */
    static final int REMEMBERED = 64;

    private final class Pending {
        final String id;
        final Query query;
        final AskResult base;
        final long expiresAtMs;
        final String askedBy;
        final CompletableFuture<AskResult> done = new CompletableFuture<>();
        volatile boolean sent;
        volatile boolean sending;
        volatile ScheduledFuture<?> expiry;

        Pending(String id, Query query, AskResult base, long expiresAtMs, boolean sent, String askedBy) {
            this.id = id;
            this.query = query;
            this.base = base;
            this.expiresAtMs = expiresAtMs;
            this.sent = sent;
            this.askedBy = askedBy;
        }
    }

    private final String deviceId;
    private final AskService.Link link;
    private final PendingQueries store;
    private final ScheduledExecutorService scheduler;
    private final LongSupplier clock;
    private final BiConsumer<AskResult, String> finished;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, AskResult> done = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, AskResult> eldest) {
            return size() > REMEMBERED;
        }
    };
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong expired = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong unknownCorrelation = new AtomicLong();
    private final AtomicLong mismatched = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong restored = new AtomicLong();
    private volatile String lastRefusal = "";

    /** @param finished called with each question's end (answer, failure or expiry) and who asked it */
    FleetQueries(String deviceId, AskService.Link link, PendingQueries store, ScheduledExecutorService scheduler,
                 LongSupplier clock, BiConsumer<AskResult, String> finished) {
        this.deviceId = deviceId;
        this.link = link;
        this.store = store;
        this.scheduler = scheduler;
        this.clock = clock;
        this.finished = finished;
    }

    /** Takes back the questions left on disk by the last run: expired ones end now, the others wait again. */
    void start() throws IOException {
        long now = clock.getAsLong();
        for (PendingQueries.Stored s : store.load()) {
            Query q = s.query();
            AskResult base = new AskResult(s.id(), q.getText(), "offload", q.getLocalIntent(), q.getLocalConfidence(),
                    Map.of(), "", "", "", "", AskResult.Outcome.PENDING);
            Pending p = new Pending(s.id(), q, base, s.expiresAtMs(), s.sent(), q.getContextOrDefault("asked_by", ""));
            pending.put(p.id, p);
            restored.incrementAndGet();
            scheduleExpiry(p, s.expiresAtMs() - now);
        }
        if (link.isConnected()) {
            connected();
        }
    }

    int size() {
        return pending.size();
    }

    /**
     * Stores {@code query} and sends it when the link is up; the future completes with the answer, or after
     * {@code waitMs} with a {@link AskResult.Outcome#PENDING} result saying how the question waits on.
     */
    CompletableFuture<AskResult> offload(AskResult base, Query query, long expiresAtMs, String askedBy) throws IOException {
        store.put(query.getQueryId(), expiresAtMs, query);
        Pending p = new Pending(query.getQueryId(), query, base, expiresAtMs, false, askedBy);
        pending.put(p.id, p);
        scheduleExpiry(p, expiresAtMs - clock.getAsLong());
        if (link.isConnected()) {
            send(p);
        }
        return p.done;
    }

    /** The asker's view of a question: its end, or after {@code waitMs} what it waits for. Null: not known. */
    CompletableFuture<AskResult> waitFor(String id, long waitMs) {
        Pending p;
        AskResult known;
        synchronized (done) { // with end(): a question is in one of the two maps, never between them
            p = pending.get(id);
            known = p == null ? done.get(id) : null;
        }
        if (p == null) {
            return known == null ? null : CompletableFuture.completedFuture(known);
        }
        CompletableFuture<AskResult> w = new CompletableFuture<>();
        p.done.thenAccept(w::complete);
        if (!w.isDone()) {
            ScheduledFuture<?> t = scheduler.schedule(() -> {
                AskResult still = stillPending(p, waitMs);
                timeouts.incrementAndGet(); // before the asker hears it: its next look at the counters sees it
                if (!w.complete(still)) {
                    timeouts.decrementAndGet();
                }
            }, Math.max(0, waitMs), TimeUnit.MILLISECONDS);
            w.whenComplete((r, e) -> t.cancel(false));
        }
        return w;
    }

    private AskResult stillPending(Pending p, long waitedMs) {
        String show = "'nanofleet-agent ask --id " + p.id + "' shows the answer";
        String why = p.sent
                ? "the fleet did not answer within " + Words.duration(waitedMs) + "; the question stays pending until "
                        + Words.clock(p.expiresAtMs) + " and a later answer is recorded (" + show + ")"
                : (link.isConnected() ? "the question is not delivered to the fleet yet" : "the fleet is not reachable now")
                        + "; the question is kept on the device and goes out when the connection is back; it expires at "
                        + Words.clock(p.expiresAtMs) + " (" + show + ")";
        return p.base.with(AskResult.Outcome.PENDING, "", "", why, "");
    }

    private void send(Pending p) {
        if (p.sent || p.sending || !pending.containsKey(p.id)) {
            return;
        }
        p.sending = true;
        link.request(Topics.ask(deviceId), Codecs.QUERY.encode(p.query), Topics.answers(deviceId),
                p.id.getBytes(StandardCharsets.UTF_8)).whenComplete((v, e) -> {
                    p.sending = false;
                    if (e == null) {
                        p.sent = true;
                        store.markSent(p.id);
                    }
                });
    }

    /** The link (re)connected: questions the broker has not acknowledged go out now. */
    void connected() {
        scheduler.execute(() -> pending.values().forEach(this::send));
    }

    private void scheduleExpiry(Pending p, long delayMs) {
        p.expiry = scheduler.schedule(() -> expire(p), Math.max(0, delayMs), TimeUnit.MILLISECONDS);
    }

    private void expire(Pending p) {
        AskResult r = p.base.with(AskResult.Outcome.EXPIRED, "", "", "the fleet did not answer within "
                + Words.duration(Math.max(0, p.expiresAtMs - p.query.getTimestampMs())) + "; ask again", "");
        if (!end(p, r)) {
            return;
        }
        store.remove(p.id);
        expired.incrementAndGet();
        finish(p, r);
    }

    /**
     * Moves {@code p} from the pending questions to the remembered answers in one step (false: it ended already), so
     * that {@link #waitFor} never finds it in neither (an {@code ask --id} at the moment its answer arrives).
     */
    private boolean end(Pending p, AskResult r) {
        synchronized (done) {
            if (!pending.remove(p.id, p)) {
                return false;
            }
            done.put(p.id, r);
            return true;
        }
    }

    private void finish(Pending p, AskResult r) {
        finished.accept(r, p.askedBy);
        p.done.complete(r);
    }

    /** A message on the answers topic; the work happens on the scheduler, off the transport's thread. */
    void answerArrived(byte[] payload, byte[] correlationData) {
        try {
            scheduler.execute(() -> handleAnswer(payload, correlationData));
        } catch (RejectedExecutionException e) {
            // stopping: the question is still on disk, and the persistent session delivers the answer again
        }
    }

    void handleAnswer(byte[] payload, byte[] correlationData) {
        Answer a;
        try {
            a = Codecs.ANSWER.decode(payload);
        } catch (PayloadException e) {
            malformed.incrementAndGet();
            ignored("malformed answer ignored: " + e.getMessage(), true);
            return;
        }
        if (correlationData == null || correlationData.length == 0) {
            unknownCorrelation.incrementAndGet();
            ignored("answer for query " + printable(a.getQueryId()) + " without correlation data ignored", false);
            return;
        }
        String corr = new String(correlationData, StandardCharsets.UTF_8);
        Pending p = pending.get(corr);
        if (p == null) {
            unknownCorrelation.incrementAndGet();
            ignored("answer with unknown correlation data '" + printable(corr) + "' ignored (no question waits under it)", false);
            return;
        }
        if (!a.getQueryId().equals(corr) || !a.getDeviceId().equals(deviceId)) {
            mismatched.incrementAndGet();
            ignored("answer ignored: correlation data names " + corr + " but the answer is for query '"
                    + printable(a.getQueryId()) + "' of device '" + a.getDeviceId() + "'", true);
            return;
        }
        String source = a.getSource().isEmpty() ? "fleet" : a.getSource();
        AskResult r = a.getOk() ? p.base.with(AskResult.Outcome.DONE, a.getText(), source, "", "")
                : p.base.with(AskResult.Outcome.FAILED, a.getText(), source,
                        a.getError().isEmpty() ? "the fleet could not answer" : a.getError(), "");
        if (!end(p, r)) {
            return;
        }
        ScheduledFuture<?> e = p.expiry;
        if (e != null) {
            e.cancel(false);
        }
        store.remove(corr);
        answered.incrementAndGet();
        finish(p, r);
    }

    /** Malformed or mismatched answers are warnings; late or repeated ones (unknown correlation) are not. */
    private void ignored(String why, boolean warn) {
        lastRefusal = why;
        if (warn) {
            LOG.warn(why);
        } else {
            LOG.info(why);
        }
    }

    private static String printable(String s) {
        String t = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }

    String lastRefusal() {
        return lastRefusal;
    }

    void counters(Map<String, String> m) {
        m.put("ask.answered", Long.toString(answered.get()));
        m.put("ask.pending", Integer.toString(pending.size()));
        m.put("ask.expired", Long.toString(expired.get()));
        m.put("ask.timeouts", Long.toString(timeouts.get()));
        m.put("ask.answers.unknown_correlation", Long.toString(unknownCorrelation.get()));
        m.put("ask.answers.mismatched", Long.toString(mismatched.get()));
        m.put("ask.answers.malformed", Long.toString(malformed.get()));
        if (restored.get() > 0) {
            m.put("ask.restored", Long.toString(restored.get()));
        }
        if (store.corrupt() > 0) {
            m.put("ask.store.corrupt", Long.toString(store.corrupt()));
        }
    }

    /** Stops the expiry timers; pending questions stay on disk for the next start. */
    void close() {
        pending.values().forEach(p -> {
            ScheduledFuture<?> e = p.expiry;
            if (e != null) {
                e.cancel(false);
            }
        });
    }
}
