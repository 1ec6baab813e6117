package io.nanofleet.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.nanofleet.agent.sensor.SimulatedSensor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulatedSensorTest {
    @Test
    void sameSeedSameSignalDifferentSeedDifferentSignal() {
        double[] a = read(new SimulatedSensor(1), 50);
        double[] b = read(new SimulatedSensor(1), 50);
        double[] c = read(new SimulatedSensor(2), 50);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
    }

    @Test
    void needsAChannel() {
        assertThrows(IllegalArgumentException.class, () -> new SimulatedSensor(List.of(), 1));
    }

    static double[] read(SimulatedSensor s, int n) {
        double[] all = new double[n * s.channels().size()];
        double[] one = new double[s.channels().size()];
        for (int i = 0; i < n; i++) {
            s.read(one);
            System.arraycopy(one, 0, all, i * one.length, one.length);
        }
        return all;
    }
}
