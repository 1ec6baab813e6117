package io.nanofleet.agent.sensor;

import io.nanofleet.anomaly.detect.DetectorConfig;
import io.nanofleet.anomaly.model.DetectorModelFile;
import io.nanofleet.anomaly.model.FleetModel;
import java.util.ArrayList;
import java.util.List;

/**
 * Real detector model files (what a device loads and the server checks), trained on the simulated sensor's
 * normal data: the models the demo publishes and the tests roll out. One place, so every test and the demo
 * deploy the same kind of model.
 */
public final class SimulatedModels {
    /** Rows per training run: 1,500 samples at the default 1 s interval. */
    static final int ROWS = 1500;

    private SimulatedModels() {
    }

    /** A model for {@code channels}, trained on {@code runs} seeded runs ({@code seed}, {@code seed + 1}, ...). */
    public static byte[] detector(List<String> channels, long seed, int runs) {
        List<float[][]> data = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            SimulatedSensor s = new SimulatedSensor(channels, seed + r);
            float[][] rows = new float[ROWS][channels.size()];
            double[] x = new double[channels.size()];
            for (float[] row : rows) {
                s.read(x);
                for (int c = 0; c < x.length; c++) {
                    row[c] = (float) x[c];
                }
            }
            data.add(rows);
        }
        FleetModel.Trained t = FleetModel.train(data, DetectorConfig.DEFAULT, 1, 42, 5);
        return DetectorModelFile.toBytes(t.pair().int8Model(), channels, t.defaultCalibration(), DetectorConfig.DEFAULT);
    }
}
