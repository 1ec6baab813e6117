package io.nanofleet.server.ask;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** What the responder did with the queries it got. Bounded: no per-device keys. */
public final class AskCounters {
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong answeredOk = new AtomicLong();
    private final AtomicLong answeredNotOk = new AtomicLong();
    private final AtomicLong undelivered = new AtomicLong();
    private final Map<ResponseTopics.Refusal, AtomicLong> refused = new EnumMap<>(ResponseTopics.Refusal.class);

    public AskCounters() {
        for (ResponseTopics.Refusal r : ResponseTopics.Refusal.values()) {
            refused.put(r, new AtomicLong());
        }
    }

    void received() {
        received.incrementAndGet();
    }

    void answered(boolean ok) {
        (ok ? answeredOk : answeredNotOk).incrementAndGet();
    }

    void undelivered() {
        undelivered.incrementAndGet();
    }

    void refused(ResponseTopics.Refusal reason) {
        refused.get(reason).incrementAndGet();
    }

    /** Queries that reached the responder (decoded and checked by the ingest step). */
    public long receivedCount() {
        return received.get();
    }

    /** Answers handed to the transport, by their {@code ok} field. */
    public long answeredCount(boolean ok) {
        return (ok ? answeredOk : answeredNotOk).get();
    }

    /** Answers the transport could not take (broker unreachable): the device hears nothing and may ask again. */
    public long undeliveredCount() {
        return undelivered.get();
    }

    /** Queries not answered at all because their response topic was refused. */
    public long refusedCount(ResponseTopics.Refusal reason) {
        return refused.get(reason).get();
    }

    public long refusedTotal() {
        return refused.values().stream().mapToLong(AtomicLong::get).sum();
    }
}
