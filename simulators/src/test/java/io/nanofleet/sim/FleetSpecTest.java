package io.nanofleet.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.nanofleet.protocols.DeviceId;
import org.junit.jupiter.api.Test;

class FleetSpecTest {
    @Test
    void deviceIdsAreValidStableAndSortable() {
        Fleet.Spec s = new Fleet.Spec("tcp://127.0.0.1:1883", 20, "sim-", 1000, 5000);
        assertEquals("sim-0001", s.deviceId(0));
        assertEquals("sim-0020", s.deviceId(19));
        for (int i = 0; i < 20; i++) {
            DeviceId.require(s.deviceId(i));
        }
    }

    @Test
    void rejectsEmptyFleetsAndPrefixes() {
        assertThrows(IllegalArgumentException.class, () -> new Fleet.Spec("tcp://x:1", 0, "sim-", 1000, 5000));
        assertThrows(IllegalArgumentException.class, () -> new Fleet.Spec("tcp://x:1", 1, "", 1000, 5000));
    }
}
