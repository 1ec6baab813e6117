package io.nanofleet.agent.transport;

import io.nanofleet.agent.queue.Outbox;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Moves messages from the {@link Outbox} to the {@link Uplink} in index order with up to {@code window}
 * unacknowledged at a time, and tells the outbox what the broker acknowledged (as a contiguous prefix). On
 * every (re)connect it starts again after the last acknowledged message: a message whose acknowledgement was
 * lost is sent twice, never zero times, and the server deduplicates by its id. Event-driven on the given
 * executor, so thousands of agents in one JVM need no thread each.
 */
public final class Forwarder {
    private final Outbox outbox;
    private final Uplink uplink;
    private final ScheduledExecutorService executor;
    private final int window;
    private final ArrayDeque<Long> inflight = new ArrayDeque<>();
    private final Set<Long> acked = new HashSet<>();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private long cursor;
    private long generation;
    private boolean pumpScheduled;

    public Forwarder(Outbox outbox, Uplink uplink, ScheduledExecutorService executor, int window) {
        this.outbox = outbox;
        this.uplink = uplink;
        this.executor = executor;
        this.window = window;
        this.cursor = outbox.ackedThrough();
    }

    /** Something was appended or the link came up: send what can be sent. */
    public synchronized void wake() {
        if (!pumpScheduled) {
            pumpScheduled = true;
            executor.execute(this::pump);
        }
    }

    /** The link (re)connected: everything unacknowledged goes again. */
    public synchronized void restart() {
        generation++;
        inflight.clear();
        acked.clear();
        cursor = outbox.ackedThrough();
        wake();
    }

    private void pump() {
        synchronized (this) {
            pumpScheduled = false;
        }
        while (uplink.isConnected()) {
            List<Outbox.Entry> batch;
            long gen;
            synchronized (this) {
                int room = window - inflight.size();
                if (room <= 0) {
                    return;
                }
                try {
                    batch = outbox.after(cursor, room);
                } catch (IOException e) {
                    errors.incrementAndGet();
                    return;
                }
                if (batch.isEmpty()) {
                    return;
                }
                for (Outbox.Entry e : batch) {
                    inflight.addLast(e.index());
                    cursor = e.index();
                }
                gen = generation;
            }
            for (Outbox.Entry e : batch) {
                long index = e.index();
                uplink.publish(e.topic(), e.payload(), 1, false).whenComplete((v, err) -> done(gen, index, err));
            }
        }
    }

    private void done(long gen, long index, Throwable err) {
        long through = -1;
        synchronized (this) {
            if (gen != generation) {
                return;
            }
            if (err != null) {
                // Usually the link just went down; the reconnect restarts us. If it is still up, retry from the gap.
                errors.incrementAndGet();
                if (uplink.isConnected()) {
                    generation++;
                    inflight.clear();
                    acked.clear();
                    cursor = outbox.ackedThrough();
                    executor.schedule(this::wake, 1, TimeUnit.SECONDS);
                }
                return;
            }
            acked.add(index);
            delivered.incrementAndGet();
            while (!inflight.isEmpty() && acked.remove(inflight.peekFirst())) {
                through = inflight.pollFirst();
            }
        }
        if (through >= 0) {
            try {
                outbox.ackThrough(through);
            } catch (IOException e) {
                errors.incrementAndGet();
            }
        }
        wake();
    }

    /** Messages the broker acknowledged (a resent message counts each time). */
    public long delivered() {
        return delivered.get();
    }

    public long errors() {
        return errors.get();
    }
}
