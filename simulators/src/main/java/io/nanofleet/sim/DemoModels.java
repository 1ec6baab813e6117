package io.nanofleet.sim;

import io.nanofleet.agent.sensor.SimulatedSensor;
import io.nanofleet.anomaly.detect.DetectorConfig;
import io.nanofleet.anomaly.model.DetectorModelFile;
import io.nanofleet.anomaly.model.FleetModel;
import java.util.ArrayList;
import java.util.List;

/** Real detector model files (what a device loads), trained on simulated normal data: for the demo and tests. */
public final class DemoModels {
    private DemoModels() {
    }

    /** A detector model for these channels, trained on two seeded runs of the simulated sensor. */
    public static byte[] detector(List<String> channels, long seed) {
        List<float[][]> runs = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            SimulatedSensor s = new SimulatedSensor(channels, seed + r);
            float[][] rows = new float[1500][channels.size()];
            double[] x = new double[channels.size()];
            for (float[] row : rows) {
                s.read(x);
                for (int c = 0; c < x.length; c++) {
                    row[c] = (float) x[c];
                }
            }
            runs.add(rows);
        }
        FleetModel.Trained t = FleetModel.train(runs, DetectorConfig.DEFAULT, 1, 42, 5);
        return DetectorModelFile.toBytes(t.pair().int8Model(), channels, t.defaultCalibration(), DetectorConfig.DEFAULT);
    }
}
