package io.nanofleet.agent.queue;

import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.TelemetryBatch;
import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;

/**
 * The one way messages enter a device's {@link Outbox}: stamps them with the device, the queue index and (for
 * events) an id and time, wakes whoever sends the queue, and counts what the queue could not store.
 */
public final class OutboxWriter {
    private final String deviceId;
    private final Outbox outbox;
    private final LongSupplier clock;
    private final Runnable wake;
    private final AtomicLong errors = new AtomicLong();

    /** @param wake called after every stored message (the forwarder sends it) */
    public OutboxWriter(String deviceId, Outbox outbox, LongSupplier clock, Runnable wake) {
        this.deviceId = deviceId;
        this.outbox = outbox;
        this.clock = clock;
        this.wake = wake;
    }

    public String deviceId() {
        return deviceId;
    }

    /** Queues a summary or raw sample; {@code batch} gets the queue index as its sequence. */
    public void telemetry(Outbox.Kind kind, LongFunction<TelemetryBatch> batch) {
        append(kind, Topics.telemetry(deviceId), seq -> Codecs.TELEMETRY.encode(batch.apply(seq)));
    }

    /** Queues an event (anomaly, command result, install progress). */
    public void event(Event.Builder event) {
        String id = deviceId + "-" + UUID.randomUUID();
        long ts = clock.getAsLong();
        append(Outbox.Kind.EVENT, Topics.events(deviceId), seq -> Codecs.EVENT.encode(
                event.setDeviceId(deviceId).setEventId(id).setSequence(seq).setTimestampMs(ts).build()));
    }

    private void append(Outbox.Kind kind, String topic, LongFunction<byte[]> payload) {
        try {
            outbox.append(kind, topic, payload);
        } catch (IOException e) {
            errors.incrementAndGet();
            return;
        }
        wake.run();
    }

    /** Messages the outbox failed to store (a health figure: {@code queue.errors}). */
    public long errors() {
        return errors.get();
    }
}
