package io.nanofleet.agent.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void growsExponentiallyWithJitterAndStaysUnderTheCap() {
        Backoff b = new Backoff(100, 5000, 1);
        long[] ceilings = {100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000};
        for (long ceiling : ceilings) {
            long d = b.nextDelayMs();
            assertTrue(d >= Math.max(50, ceiling / 2) && d <= ceiling, d + " outside [" + ceiling / 2 + ", " + ceiling + "]");
        }
        b.reset();
        assertTrue(b.nextDelayMs() <= 100);
    }

    @Test
    void devicesWithDifferentSeedsSpreadOut() {
        Set<Long> delays = new HashSet<>();
        for (int seed = 0; seed < 50; seed++) {
            Backoff b = new Backoff(1000, 60_000, seed);
            for (int i = 0; i < 6; i++) {
                b.nextDelayMs();
            }
            delays.add(b.nextDelayMs());
        }
        assertTrue(delays.size() > 40, "only " + delays.size() + " distinct delays out of 50 devices");
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(0, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(100, 10, 1));
        assertEquals(0, new Backoff(1, 1, 1).attempts());
    }
}
