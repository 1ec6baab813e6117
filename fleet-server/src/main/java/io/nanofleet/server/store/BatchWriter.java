package io.nanofleet.server.store;

import io.nanofleet.protocols.DaemonThreads;
import io.nanofleet.protocols.v1.ChannelSummary;
import io.nanofleet.protocols.v1.CommandResult;
import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.TelemetryBatch;
import io.nanofleet.server.ingest.DeviceMessage;
import io.nanofleet.server.ingest.IngestListener;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that owns all writes of device traffic. Producers (the ingest bus) enqueue and return;
 * the writer drains what has accumulated and commits it in one transaction, so throughput grows with
 * load instead of paying one commit per message. A full queue blocks producers: back-pressure to the
 * broker rather than silent loss.
 */
public final class BatchWriter implements IngestListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchWriter.class);
    static final int MAX_BATCH = 2000;
    static final int MAX_ATTEMPTS = 5;
    /**
     * Last-seen times are collected across batches and written at most this often (and whenever the queue
     * goes idle, and on flush/close). Per batch they were one upsert per distinct device: with 5,000 devices
     * that was most of the writer's work and doubled the median device-to-stored latency
     * (fleet-server/BENCHMARKS.md, run E). Online/offline does not depend on it (state and last wills do).
     */
    static final long SEEN_FLUSH_MS = 1000;

    /** What the writer stores. */
    public sealed interface Write permits StateWrite, TelemetryWrite, EventWrite {}

    public record StateWrite(DeviceState state, long receivedMs) implements Write {}

    public record TelemetryWrite(TelemetryBatch batch, long receivedMs) implements Write {}

    public record EventWrite(Event event, long receivedMs) implements Write {}

    private final FleetStore store;
    private final BlockingQueue<Write> queue;
    private final Thread thread;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final Object idle = new Object();
    private volatile boolean running = true;
    private volatile boolean busy;
    /** Writer thread only: device -> newest receive time not yet written. */
    private final java.util.Map<String, Long> pendingSeen = new java.util.HashMap<>();
    private volatile boolean seenPending;
    private long seenWrittenMs;

    public BatchWriter(FleetStore store, int capacity) {
        this.store = store;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = DaemonThreads.start("nanofleet-batch-writer", this::run);
    }

    /** Enqueues; blocks only when the queue is full. */
    public void submit(Write w) {
        try {
            queue.put(w);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed.incrementAndGet();
        }
    }

    /** Queues a decoded device message for storage (an ingest bus listener, {@code Scope.ONCE}). */
    @Override
    public void onMessage(DeviceMessage m) {
        if (m instanceof DeviceMessage.State s) {
            submit(new StateWrite(s.state(), s.receivedMs()));
        } else if (m instanceof DeviceMessage.Telemetry t) {
            submit(new TelemetryWrite(t.batch(), t.receivedMs()));
        } else if (m instanceof DeviceMessage.Events e) {
            submit(new EventWrite(e.event(), e.receivedMs()));
        }
    }

    /** False while the queue is full, when {@link #submit} would block. */
    @Override
    public boolean hasRoom() {
        return queue.remainingCapacity() > 0;
    }

    public long writtenCount() {
        return written.get();
    }

    public long failedCount() {
        return failed.get();
    }

    public long batchCount() {
        return batches.get();
    }

    public int queueDepth() {
        return queue.size();
    }

    /** Waits until everything submitted so far is committed, or the timeout passes; true if drained. */
    public boolean flush(long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        synchronized (idle) {
            while (!queue.isEmpty() || busy || seenPending) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                idle.wait(Math.min(left, 50));
            }
        }
        return true;
    }

    private void run() {
        List<Write> batch = new ArrayList<>(MAX_BATCH);
        while (running || !queue.isEmpty()) {
            try {
                Write first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (seenPending) {
                        busy = true;
                        writeWithRetry(batch, true); // idle: write the collected last-seen times now
                    }
                    continue;
                }
                busy = true;
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                writeWithRetry(batch, false);
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            } finally {
                batch.clear();
                busy = false;
                synchronized (idle) {
                    idle.notifyAll();
                }
            }
        }
        if (seenPending) {
            try {
                writeWithRetry(batch, true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void writeWithRetry(List<Write> batch, boolean forceSeen) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                write(batch, forceSeen);
                if (!batch.isEmpty()) {
                    written.addAndGet(batch.size());
                    batches.incrementAndGet();
                }
                return;
            } catch (SQLException e) {
                if (attempt >= MAX_ATTEMPTS) {
                    failed.addAndGet(batch.size());
                    LOG.error("dropping a batch of {} writes after {} attempts: {}", batch.size(), attempt, e.getMessage());
                    return;
                }
                LOG.warn("write of {} items failed (attempt {}), retrying: {}", batch.size(), attempt, e.getMessage());
                Thread.sleep(200L * attempt);
            }
        }
    }

    private void write(List<Write> batch, boolean forceSeen) throws SQLException {
        try (Connection c = store.connection()) {
            c.setAutoCommit(false);
            try (DeviceStore.Batch devices = store.deviceStore().batch(c);
                 PreparedStatement summary = c.prepareStatement(
                         "INSERT INTO summaries (device_id, sequence, channel, window_start_ms, window_end_ms, sample_count, "
                                 + "min_value, max_value, mean_value, last_value, received_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?) "
                                 + "ON CONFLICT DO NOTHING");
                 PreparedStatement event = c.prepareStatement(
                         "INSERT INTO events (device_id, event_id, sequence, event_type, ts_ms, received_ms, payload) "
                                 + "VALUES (?,?,?,?,?,?,?) ON CONFLICT DO NOTHING");
                 PreparedStatement commandResult = c.prepareStatement(
                         "UPDATE commands SET status = ?, result_message = ?, result_ms = ? WHERE command_id = ? AND device_id = ?")) {
                for (Write w : batch) {
                    if (w instanceof StateWrite s) {
                        devices.state(s.state(), s.receivedMs());
                    } else if (w instanceof TelemetryWrite t) {
                        addTelemetry(summary, t);
                        pendingSeen.merge(t.batch().getDeviceId(), t.receivedMs(), Math::max);
                    } else if (w instanceof EventWrite e) {
                        addEvent(event, commandResult, e);
                        pendingSeen.merge(e.event().getDeviceId(), e.receivedMs(), Math::max);
                    }
                }
                long now = System.currentTimeMillis();
                boolean writeSeen = forceSeen || now - seenWrittenMs >= SEEN_FLUSH_MS;
                if (writeSeen) {
                    for (java.util.Map.Entry<String, Long> e : pendingSeen.entrySet()) {
                        devices.seen(e.getKey(), e.getValue());
                    }
                }
                // Order matters: a state row must exist before anything refers to it.
                devices.execute();
                summary.executeBatch();
                event.executeBatch();
                commandResult.executeBatch();
                c.commit();
                if (writeSeen) {
                    // Only after the commit: a failed transaction keeps them for the retry.
                    pendingSeen.clear();
                    seenWrittenMs = now;
                }
                seenPending = !pendingSeen.isEmpty();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static void addTelemetry(PreparedStatement ps, TelemetryWrite t) throws SQLException {
        TelemetryBatch b = t.batch();
        for (ChannelSummary s : b.getChannelsList()) {
            ps.setString(1, b.getDeviceId());
            ps.setLong(2, b.getSequence());
            ps.setString(3, s.getChannel());
            ps.setLong(4, b.getWindowStartMs());
            ps.setLong(5, b.getWindowEndMs());
            ps.setLong(6, s.getCount());
            ps.setDouble(7, s.getMin());
            ps.setDouble(8, s.getMax());
            ps.setDouble(9, s.getMean());
            ps.setDouble(10, s.getLast());
            ps.setLong(11, t.receivedMs());
            ps.addBatch();
        }
    }

    private static void addEvent(PreparedStatement ps, PreparedStatement commandResult, EventWrite w) throws SQLException {
        Event e = w.event();
        ps.setString(1, e.getDeviceId());
        ps.setString(2, e.getEventId());
        ps.setLong(3, e.getSequence());
        ps.setString(4, e.getBodyCase().name().toLowerCase(java.util.Locale.ROOT));
        ps.setLong(5, e.getTimestampMs());
        ps.setLong(6, w.receivedMs());
        ps.setBytes(7, e.toByteArray());
        ps.addBatch();
        if (e.hasCommandResult()) {
            CommandResult r = e.getCommandResult();
            commandResult.setString(1, r.getStatus().name());
            commandResult.setString(2, r.getMessage());
            commandResult.setLong(3, w.receivedMs());
            commandResult.setString(4, r.getCommandId());
            commandResult.setString(5, e.getDeviceId());
            commandResult.addBatch();
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
