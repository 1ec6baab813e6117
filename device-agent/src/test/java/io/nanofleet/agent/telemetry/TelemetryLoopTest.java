package io.nanofleet.agent.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.agent.queue.MemoryOutbox;
import io.nanofleet.agent.queue.Outbox;
import io.nanofleet.agent.queue.OutboxWriter;
import io.nanofleet.agent.sensor.SensorSource;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.TelemetryBatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A sample's way from the sensor to the outbox, driven by hand instead of by the timers. */
class TelemetryLoopTest {
    private final AtomicLong now = new AtomicLong(1000);
    private final MemoryOutbox outbox = new MemoryOutbox(100);
    private final AtomicInteger wakes = new AtomicInteger();
    private final ScheduledExecutorService unused = Executors.newSingleThreadScheduledExecutor();

    /** Reads 1, 2, 3... on channel "a" and ten times that on "b"; fails when told to. */
    private static final class FakeSensor implements SensorSource {
        double next = 1;
        boolean broken;

        @Override
        public List<String> channels() {
            return List.of("a", "b");
        }

        @Override
        public void read(double[] out) throws IOException {
            if (broken) {
                throw new IOException("unplugged");
            }
            out[0] = next;
            out[1] = next * 10;
            next++;
        }
    }

    private final FakeSensor sensor = new FakeSensor();
    private final TelemetryLoop loop = new TelemetryLoop(sensor, null,
            new OutboxWriter("dev-1", outbox, now::get, wakes::incrementAndGet), unused, now::get, 1000, 10_000);

    @AfterEach
    void stop() {
        unused.shutdownNow();
    }

    private List<Outbox.Entry> queued() throws Exception {
        return outbox.after(0, 100);
    }

    private static TelemetryBatch batch(Outbox.Entry e) throws Exception {
        return Codecs.TELEMETRY.decode(e.payload());
    }

    @Test
    void samplesBecomeOneSummaryInTheOutbox() throws Exception {
        List<Long> seen = new ArrayList<>();
        loop.onSample((ts, values) -> seen.add(ts));
        for (int i = 0; i < 3; i++) {
            loop.sampleOnce();
            now.addAndGet(1000);
        }
        assertEquals(0, queued().size(), "nothing goes out before the telemetry timer");
        loop.publishSummary();
        List<Outbox.Entry> q = queued();
        assertEquals(1, q.size());
        assertEquals(Outbox.Kind.SUMMARY, q.get(0).kind());
        assertEquals(Topics.telemetry("dev-1"), q.get(0).topic());
        TelemetryBatch b = batch(q.get(0));
        assertEquals("dev-1", b.getDeviceId());
        assertEquals(q.get(0).index(), b.getSequence(), "the queue index is the message's sequence");
        assertEquals(3, b.getChannels(0).getCount());
        assertEquals(1, b.getChannels(0).getMin());
        assertEquals(30, b.getChannels(1).getMax());
        assertEquals(List.of(1000L, 2000L, 3000L), seen, "the listener saw every sample");
        assertEquals(3, loop.samples());
        assertEquals(1, wakes.get(), "the forwarder is woken for what was queued");

        loop.publishSummary();
        assertEquals(1, queued().size(), "an empty window sends nothing");
    }

    @Test
    void streamsRawSamplesOnlyUntilTheDeadline() throws Exception {
        loop.streamRawUntil(2500);
        loop.sampleOnce();
        now.set(2000);
        loop.sampleOnce();
        now.set(2500);
        loop.sampleOnce();
        List<Outbox.Entry> q = queued();
        assertEquals(2, q.size(), q.toString());
        assertTrue(q.stream().allMatch(e -> e.kind() == Outbox.Kind.RAW));
        TelemetryBatch second = batch(q.get(1));
        assertEquals(2000, second.getWindowStartMs());
        assertEquals(1, second.getChannels(0).getCount());
        assertEquals(2, second.getChannels(0).getLast());
        assertEquals(20, second.getChannels(1).getLast());
    }

    @Test
    void countsSensorErrorsAndQueuesNothingForThem() throws Exception {
        sensor.broken = true;
        loop.sampleOnce();
        loop.publishSummary();
        assertEquals(1, loop.sensorErrors());
        assertEquals(0, loop.samples());
        assertEquals(0, queued().size());
    }
}
