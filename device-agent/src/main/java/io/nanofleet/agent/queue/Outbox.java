package io.nanofleet.agent.queue;

import java.io.IOException;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Store-and-forward queue between the agent and its uplink. Every message gets the next index of a
 * per-device sequence that never goes backwards (it survives restarts), and that index is written into the
 * message itself, so the server deduplicates redeliveries by id. Messages leave only when acknowledged.
 */
public interface Outbox extends AutoCloseable {
    /** What a message is, which decides what is dropped first when the bound is hit. */
    enum Kind {
        /** Periodic summaries: dropped before events when the bound is hit. */
        SUMMARY(1),
        /** Anomaly, command-result and install events: dropped only when nothing else is left. */
        EVENT(2),
        /** Raw samples streamed on request: best effort, never fsync'd, dropped like summaries. */
        RAW(3);

        final int code;

        Kind(int code) {
            this.code = code;
        }

        static Kind of(int code) {
            return code == 1 ? SUMMARY : code == 2 ? EVENT : code == 3 ? RAW : null;
        }
    }

    /** One queued message. */
    record Entry(long index, Kind kind, String topic, byte[] payload) {}

    /**
     * Appends a message; {@code payload} is called with the index this message gets. When this returns the
     * message is stored (on disk, and with fsync=always durable across power loss).
     */
    long append(Kind kind, String topic, LongFunction<byte[]> payload) throws IOException;

    /** Up to {@code max} unacknowledged entries with index > {@code after}, oldest first. */
    List<Entry> after(long after, int max) throws IOException;

    /**
     * The broker has every message up to and including {@code index}: they may be removed. The forwarder
     * turns out-of-order acknowledgements into this contiguous form. Idempotent.
     */
    void ackThrough(long index) throws IOException;

    /** The index of the newest message appended (0 before any). */
    long lastIndex();

    /** Every index <= this is acknowledged (or dropped). */
    long ackedThrough();

    /** Messages waiting (appended, not acknowledged, not dropped). */
    long pending();

    long droppedSummaries();

    long droppedEvents();

    /** Forces everything to disk (the SIGTERM path). */
    void flush() throws IOException;

    @Override
    void close() throws IOException;
}
