package io.nanofleet.server.ingest;

import io.nanofleet.protocols.PayloadException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Accepted and rejected device messages, rejects by reason. Bounded: no per-device keys. */
public final class IngestCounters {
    /** Reasons beyond the codec's: the message was fine but not acceptable here. */
    public enum Reject {
        EMPTY, OVERSIZED, TRUNCATED, MALFORMED, WRONG_TYPE, MISSING_VERSION, INVALID_FIELD,
        /** Topic is not a device uplink topic. */
        BAD_TOPIC,
        /** Payload's device_id differs from the topic's: a device speaking for another. */
        DEVICE_MISMATCH,
        /** No enrolled device has this id (and the plain development listener is off). */
        UNKNOWN_DEVICE,
        /** The device's certificates are revoked. */
        REVOKED_DEVICE;

        static Reject of(PayloadException.Reason r) {
            return valueOf(r.name());
        }
    }

    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong decoded = new AtomicLong();
    private final Map<Reject, AtomicLong> rejected = new EnumMap<>(Reject.class);

    public IngestCounters() {
        for (Reject r : Reject.values()) {
            rejected.put(r, new AtomicLong());
        }
    }

    void decoded() {
        decoded.incrementAndGet();
    }

    void accepted() {
        accepted.incrementAndGet();
    }

    void rejected(Reject reason) {
        rejected.get(reason).incrementAndGet();
    }

    public long acceptedCount() {
        return accepted.get();
    }

    /** Payloads the ingest step decoded (accepted or not): each device message once. */
    public long decodedCount() {
        return decoded.get();
    }

    public long rejectedCount(Reject reason) {
        return rejected.get(reason).get();
    }

    public long rejectedTotal() {
        return rejected.values().stream().mapToLong(AtomicLong::get).sum();
    }
}
