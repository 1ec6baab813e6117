package io.nanofleet.anomaly.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.anomaly.detect.Calibration;
import io.nanofleet.anomaly.detect.Calibrator;
import io.nanofleet.anomaly.detect.DetectorConfig;
import io.nanofleet.anomaly.detect.LinearReconstructor;
import io.nanofleet.anomaly.detect.Reconstructor;
import io.nanofleet.runtime.ModelFile;
import io.nanofleet.runtime.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutoencoderTrainerTest {
    static final List<String> CHANNELS = List.of("a", "b", "c", "d", "e", "f");

    @TempDir
    Path tmp;

    /** Six correlated channels driven by two latent factors plus noise. */
    static float[][] vectors(int rows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] v = new float[rows][6];
        for (float[] row : v) {
            double f1 = gauss(r);
            double f2 = gauss(r);
            for (int c = 0; c < 6; c++) {
                row[c] = (float) ((c % 2 == 0 ? f1 : f2) * (1 + 0.1 * c) + 0.2 * gauss(r));
            }
        }
        return v;
    }

    static double gauss(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(r.nextDouble(1e-12, 1))) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    @Test
    void trainingIsDeterministicAndQuantizationStaysClose() {
        float[][] v = vectors(600, 1);
        AutoencoderTrainer.Trained a = new AutoencoderTrainer(2, 42, 10, true).train(v);
        AutoencoderTrainer.Trained b = new AutoencoderTrainer(2, 42, 10, true).train(v);
        assertArrayEquals(ModelFile.toBytes(a.int8Model()), ModelFile.toBytes(b.int8Model()));
        assertTrue(a.int8Model().isQuantized());
        assertFalse(a.floatModel().isQuantized());

        // Two latent factors: a 2-component linear AE leaves only the noise (variance 0.04).
        assertTrue(a.finalLoss() < 0.06, "final loss " + a.finalLoss());
        Reconstructor f = new RuntimeReconstructor(a.floatModel());
        Reconstructor q = new RuntimeReconstructor(a.int8Model());
        Reconstructor pca = LinearReconstructor.fit(v, 2);
        float[] of = new float[6];
        float[] oq = new float[6];
        float[] op = new float[6];
        double maxQ = 0;
        double maxP = 0;
        for (float[] row : v) {
            f.reconstruct(row, of);
            q.reconstruct(row, oq);
            pca.reconstruct(row, op);
            for (int c = 0; c < 6; c++) {
                maxQ = Math.max(maxQ, Math.abs(of[c] - oq[c]));
                maxP = Math.max(maxP, Math.abs(of[c] - op[c]));
            }
        }
        // int8 steps with +-8 headroom are 16/255 ~ 0.06 per tensor; a few steps of error at most.
        assertTrue(maxQ < 0.25, "int8 vs float max error " + maxQ);
        assertTrue(maxP < 0.1, "Adam refinement should stay near the PCA optimum, max diff " + maxP);
    }

    @Test
    void randomInitialisationAlsoLearnsTheSubspace() {
        float[][] v = vectors(600, 2);
        AutoencoderTrainer.Trained t = new AutoencoderTrainer(2, 7, 60, false).train(v);
        assertTrue(t.finalLoss() < 0.1, "final loss " + t.finalLoss());
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> new AutoencoderTrainer(0, 1, 1, true));
        assertThrows(IllegalArgumentException.class, () -> new AutoencoderTrainer(1, 1, 0, true));
        assertThrows(IllegalArgumentException.class, () -> new AutoencoderTrainer(7, 1, 1, true).train(vectors(50, 1)));
    }

    @Test
    void modelFileRoundTripsCalibrationAndSettings() throws IOException {
        float[][] v = vectors(600, 3);
        AutoencoderTrainer.Trained t = new AutoencoderTrainer(2, 42, 5, true).train(v);
        DetectorConfig cfg = DetectorConfig.DEFAULT.withThresholdFactor(2.75);
        Calibration cal = new Calibration(new float[]{1, 2, 3, 4, 5, 6}, new float[]{1, 1, 2, 2, 3, 3},
                new float[]{.5f, .5f, .5f, .5f, .5f, .5f}, 12.5);
        Path p = tmp.resolve("m.nfm");
        DetectorModelFile.write(p, t.int8Model(), CHANNELS, cal, cfg);
        DetectorModelFile.Loaded l = DetectorModelFile.read(p);
        assertEquals(CHANNELS, l.channels());
        assertEquals(cfg, l.config());
        assertArrayEquals(cal.mean(), l.calibration().mean());
        assertArrayEquals(cal.std(), l.calibration().std());
        assertArrayEquals(cal.residualScale(), l.calibration().residualScale());
        assertEquals(12.5, l.calibration().threshold());
        assertTrue(Files.size(p) < 32 * 1024);
    }

    @Test
    void corruptedOrForeignFilesAreRejected() throws IOException {
        AutoencoderTrainer.Trained t = new AutoencoderTrainer(2, 42, 5, true).train(vectors(300, 4));
        Path p = tmp.resolve("m.nfm");
        Calibration cal = new Calibration(new float[6], fill(1), fill(1), 3);
        DetectorModelFile.write(p, t.int8Model(), CHANNELS, cal, DetectorConfig.DEFAULT);
        byte[] bytes = Files.readAllBytes(p);
        bytes[bytes.length / 2] ^= 0x55;
        Path bad = tmp.resolve("bad.nfm");
        Files.write(bad, bytes);
        assertThrows(ModelFormatException.class, () -> DetectorModelFile.read(bad));
        Path foreign = tmp.resolve("foreign.nfm");
        ModelFile.write(t.int8Model(), foreign);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> DetectorModelFile.read(foreign));
        assertTrue(e.getMessage().contains("not an anomaly-autoencoder"), e.getMessage());
    }

    @Test
    void fleetTrainingSetNeedsEnoughRows() {
        DetectorConfig cfg = DetectorConfig.DEFAULT;
        assertThrows(IllegalArgumentException.class, () -> FleetTrainingSet.vectors(List.<float[][]>of(vectors(1000, 1)), cfg));
        float[][] v = FleetTrainingSet.vectors(List.<float[][]>of(vectors(1500, 1)), cfg);
        // Segments start every STEP rows; each gives HORIZON + 1 - ... vectors after its calibration.
        int segments = (1500 - cfg.calibrationRows() - FleetTrainingSet.HORIZON) / FleetTrainingSet.STEP + 1;
        assertEquals(segments * (FleetTrainingSet.HORIZON), v.length);
        assertEquals(6, new Calibrator(cfg).prepare(vectors(400, 1)).mean().length);
    }

    private static float[] fill(float x) {
        float[] a = new float[6];
        java.util.Arrays.fill(a, x);
        return a;
    }
}
