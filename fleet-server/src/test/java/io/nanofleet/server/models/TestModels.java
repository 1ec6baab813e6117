package io.nanofleet.server.models;

import io.nanofleet.anomaly.detect.Calibration;
import io.nanofleet.anomaly.detect.DetectorConfig;
import io.nanofleet.anomaly.model.DetectorModelFile;
import io.nanofleet.runtime.Model;
import io.nanofleet.runtime.ModelBuilder;
import java.util.Arrays;
import java.util.List;

/** Detector model files for the server's tests: untrained (the server checks format and schema, not quality). */
public final class TestModels {
    private TestModels() {
    }

    /** A loadable anomaly model for {@code channels}: a dense autoencoder with {@code hidden} units, random weights. */
    public static byte[] anomaly(List<String> channels, int hidden, long seed) {
        return withSchema(channels, channels.size(), hidden, seed);
    }

    /**
     * A detector file whose metadata names {@code channels} over a graph with {@code inputs} inputs; with
     * {@code inputs != channels.size()} the runtime refuses it.
     */
    public static byte[] withSchema(List<String> channels, int inputs, int hidden, long seed) {
        ModelBuilder b = new ModelBuilder(seed);
        int x = b.input(inputs);
        Model m = b.build(b.dense(b.relu(b.dense(x, hidden)), inputs));
        int n = channels.size();
        float[] ones = new float[n];
        Arrays.fill(ones, 1f);
        return DetectorModelFile.toBytes(m, channels, new Calibration(new float[n], ones, ones, 3.0), DetectorConfig.DEFAULT);
    }
}
