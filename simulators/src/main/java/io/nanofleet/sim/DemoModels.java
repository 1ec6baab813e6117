package io.nanofleet.sim;

import io.nanofleet.agent.sensor.SimulatedModels;
import java.util.List;

/** Real detector model files (what a device loads), trained on simulated normal data: for the demo and tests. */
public final class DemoModels {
    private DemoModels() {
    }

    /** A detector model for these channels, trained on two seeded runs of the simulated sensor. */
    public static byte[] detector(List<String> channels, long seed) {
        return SimulatedModels.detector(channels, seed, 2);
    }
}
