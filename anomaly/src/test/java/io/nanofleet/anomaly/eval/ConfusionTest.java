package io.nanofleet.anomaly.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConfusionTest {
    @Test
    void metricsFollowTheSkabDefinitions() {
        Confusion c = new Confusion();
        add(c, true, true, 6);
        add(c, true, false, 2);
        add(c, false, true, 4);
        add(c, false, false, 8);
        assertEquals(2.0 * 6 / (2 * 6 + 2 + 4), c.f1(), 1e-12);
        assertEquals(2.0 / 10, c.far(), 1e-12);
        assertEquals(4.0 / 10, c.mar(), 1e-12);
        assertEquals(20, c.total());
        Confusion pooled = new Confusion();
        pooled.addAll(c);
        pooled.addAll(c);
        assertEquals(c.f1(), pooled.f1(), 1e-12);
        assertEquals(12, pooled.tp());
    }

    @Test
    void undefinedRatesAreNaN() {
        Confusion c = new Confusion();
        add(c, false, false, 5);
        assertTrue(Double.isNaN(c.f1()));
        assertTrue(Double.isNaN(c.mar()));
        assertEquals(0.0, c.far());
    }

    private static void add(Confusion c, boolean p, boolean a, int times) {
        for (int i = 0; i < times; i++) {
            c.add(p, a);
        }
    }
}
