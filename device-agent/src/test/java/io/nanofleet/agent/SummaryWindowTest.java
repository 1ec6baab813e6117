package io.nanofleet.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.nanofleet.agent.telemetry.SummaryWindow;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.v1.TelemetryBatch;
import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryWindowTest {
    @Test
    void summarisesEachChannelAndResets() throws Exception {
        SummaryWindow w = new SummaryWindow(List.of("a", "b"));
        assertNull(w.drain("d", 1), "nothing sampled, nothing to send");
        w.add(1000, new double[] {1, -5});
        w.add(2000, new double[] {3, 5});
        w.add(3000, new double[] {2, 0});
        TelemetryBatch b = w.drain("d", 7);
        assertEquals(7, b.getSequence());
        assertEquals(1000, b.getWindowStartMs());
        assertEquals(3000, b.getWindowEndMs());
        var a = b.getChannels(0);
        assertEquals("a", a.getChannel());
        assertEquals(3, a.getCount());
        assertEquals(1, a.getMin());
        assertEquals(3, a.getMax());
        assertEquals(2, a.getMean(), 1e-12);
        assertEquals(2, a.getLast());
        var bb = b.getChannels(1);
        assertEquals(-5, bb.getMin());
        assertEquals(5, bb.getMax());
        assertEquals(0, bb.getMean(), 1e-12);
        // The batch is valid on the wire.
        assertEquals(b.getChannelsList(), Codecs.TELEMETRY.decode(Codecs.TELEMETRY.encode(b)).getChannelsList());
        assertEquals(0, w.count());
        w.add(4000, new double[] {10, 10});
        TelemetryBatch next = w.drain("d", 8);
        assertEquals(10, next.getChannels(0).getMin(), "min/max restart with each window");
        assertEquals(4000, next.getWindowStartMs());
    }
}
