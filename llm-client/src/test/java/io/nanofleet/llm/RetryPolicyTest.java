package io.nanofleet.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    @Test
    void theCeilingDoublesUpToTheCap() {
        RetryPolicy p = RetryPolicy.defaults().withInitialBackoff(Duration.ofMillis(100)).withMaxBackoff(Duration.ofMillis(1000))
                .withJitter(() -> Math.nextDown(1.0));
        assertEquals(99, p.backoff(1).toMillis());
        assertEquals(199, p.backoff(2).toMillis());
        assertEquals(399, p.backoff(3).toMillis());
        assertEquals(799, p.backoff(4).toMillis());
        assertEquals(999, p.backoff(5).toMillis());
        assertEquals(999, p.backoff(60).toMillis(), "no overflow however many retries");
    }

    @Test
    void fullJitterSpreadsWaitsFromZeroToTheCeiling() {
        RetryPolicy p = RetryPolicy.defaults().withInitialBackoff(Duration.ofMillis(1000));
        assertEquals(0, p.withJitter(() -> 0).backoff(1).toMillis());
        assertEquals(500, p.withJitter(() -> 0.5).backoff(1).toMillis());
        for (int i = 0; i < 1000; i++) {
            long ms = p.backoff(2).toMillis();
            assertTrue(ms >= 0 && ms < 2000, "wait " + ms);
        }
        assertEquals(1999, p.withJitter(() -> 7).backoff(2).toMillis(), "a jitter source out of range is clamped");
    }

    @Test
    void nonsenseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> RetryPolicy.defaults().backoff(0));
        assertThrows(IllegalArgumentException.class, () -> RetryPolicy.defaults().withInitialBackoff(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> RetryPolicy.defaults().withMaxRetryAfter(Duration.ofSeconds(-1)));
    }
}
