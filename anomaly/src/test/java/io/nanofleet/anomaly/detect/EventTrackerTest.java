package io.nanofleet.anomaly.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventTrackerTest {
    private static DetectionResult result(boolean anomalous, float... contributions) {
        DetectionResult r = new DetectionResult(contributions.length);
        double s = 0;
        for (int c = 0; c < contributions.length; c++) {
            r.contributions[c] = contributions[c];
            s += contributions[c];
        }
        r.score = s;
        r.anomalous = anomalous;
        return r;
    }

    @Test
    void runsSeparatedByLessThanTheGapAreOneEventNamedByTheirLargestContributors() {
        EventTracker t = new EventTracker(3, 2, 3);
        List<EventTracker.Event> events = new ArrayList<>();
        boolean[] pattern = {false, true, true, false, false, true, false, false, false, false, true};
        for (boolean a : pattern) {
            EventTracker.Event e = t.accept(a ? result(true, 1, 5, 2) : result(false, 0, 0, 0));
            if (e != null) {
                events.add(e);
            }
        }
        EventTracker.Event last = t.finish();
        assertEquals(1, events.size());
        EventTracker.Event e = events.get(0);
        assertEquals(1, e.start());
        assertEquals(6, e.end());
        assertArrayEquals(new int[]{1, 2}, e.topChannels());
        assertEquals(8.0, e.peakScore(), 1e-9);
        assertEquals(10, last.start());
        assertEquals(11, last.end());
        assertNull(t.finish(), "finish() reports an open event once");
        assertThrows(IllegalArgumentException.class, () -> new EventTracker(3, 2, 0));
    }
}
