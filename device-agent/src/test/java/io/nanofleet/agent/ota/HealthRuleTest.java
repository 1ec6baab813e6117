package io.nanofleet.agent.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HealthRuleTest {
    @Test
    void newModelMayAlarmAtMostTwiceAsOftenOrOnePointMore() {
        // Old model: 1 % of samples anomalous. Allowed: max(2 %, 2 %) = 2 %.
        assertTrue(ModelUpdater.healthy(10, 1000, 20, 1000));
        assertFalse(ModelUpdater.healthy(10, 1000, 21, 1000));
        // Old model silent: one point of slack, so a model is not judged on a handful of alarms.
        assertTrue(ModelUpdater.healthy(0, 1000, 10, 1000));
        assertFalse(ModelUpdater.healthy(0, 1000, 11, 1000));
        // Old model alarming a lot: twice its rate.
        assertTrue(ModelUpdater.healthy(100, 1000, 200, 1000));
        assertFalse(ModelUpdater.healthy(100, 1000, 201, 1000));
        // A shadow that scored nothing has proved nothing.
        assertFalse(ModelUpdater.healthy(0, 1000, 0, 0));
        assertEquals(0.0, ModelUpdater.rate(5, 0));
    }
}
