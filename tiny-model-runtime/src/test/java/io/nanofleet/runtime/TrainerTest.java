package io.nanofleet.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TrainerTest {
    @Test
    void sameSeedGivesBitIdenticalWeights() {
        float[][] x = TestModels.sines(128, 128, 1);
        byte[][] files = new byte[3][];
        for (int run = 0; run < 3; run++) {
            Model m = TestModels.convAutoencoder(4);
            new Trainer(m, Trainer.Loss.MSE).epochs(2).batchSize(16).seed(run < 2 ? 9 : 10).fit(x, x);
            files[run] = ModelFile.toBytes(m);
        }
        assertArrayEquals(files[0], files[1]);
        assertFalse(Arrays.equals(files[0], files[2]), "a different shuffle seed changes the result");
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        // One Adam step with a tiny learning rate moves each weight against its gradient sign; check the
        // analytic gradient of a small mixed graph against central differences of the loss instead.
        ModelBuilder b = new ModelBuilder(3);
        int in = b.input(2, 8);
        int c = b.tanh(b.conv1d(in, 3, 3, 1, 1));
        int d = b.sigmoid(b.dense(b.flatten(c), 6));
        int e = b.dense(b.flatten(in), 6);
        Model m = b.build(b.softmax(b.add(d, e)));
        float[][] x = TestModels.gaussian(1, 16, 2);
        float[][] y = {{0, 0, 1, 0, 0, 0}};
        Interpreter it = new Interpreter(m, true);
        Backprop bp = new Backprop(m.graph(), it, Trainer.Loss.SOFTMAX_CROSS_ENTROPY);
        java.util.List<float[]> params = new java.util.ArrayList<>();
        java.util.List<float[]> grads = new java.util.ArrayList<>();
        bp.collectParams(params, grads);
        bp.accumulate(x[0], y[0]);
        Trainer t = new Trainer(m, Trainer.Loss.SOFTMAX_CROSS_ENTROPY);
        for (int p = 0; p < params.size(); p++) {
            float[] w = params.get(p);
            for (int k = 0; k < w.length; k += 3) {
                float orig = w[k];
                w[k] = orig + 1e-3f;
                double up = t.evaluate(x, y);
                w[k] = orig - 1e-3f;
                double down = t.evaluate(x, y);
                w[k] = orig;
                double numeric = (up - down) / 2e-3;
                assertTrue(Math.abs(numeric - grads.get(p)[k]) < 2e-3 + 0.05 * Math.abs(numeric),
                        "param " + p + "[" + k + "]: analytic " + grads.get(p)[k] + " numeric " + numeric);
            }
        }
    }

    @Test
    void badInputsAreRejected() {
        Model m = TestModels.denseAutoencoder(1);
        Trainer t = new Trainer(m, Trainer.Loss.MSE);
        assertThrows(IllegalArgumentException.class, () -> t.fit(new float[2][32], new float[3][32]));
        assertThrows(IllegalArgumentException.class, () -> t.fit(new float[2][31], new float[2][32]));
        float[][] nan = new float[1][32];
        nan[0][5] = Float.NaN;
        assertThrows(IllegalArgumentException.class, () -> t.fit(nan, new float[1][32]));
        assertThrows(IllegalArgumentException.class, () -> t.learningRate(0));
        assertThrows(IllegalArgumentException.class, () -> new Trainer(TestModels.textClassifier(1), Trainer.Loss.SOFTMAX_CROSS_ENTROPY)
                .fit(TestModels.ids(2, 12, 256, 1), new int[]{0, 9}));
        Model q = Quantizer.minMax().quantize(m, TestModels.gaussian(4, 32, 1)).model();
        assertThrows(IllegalArgumentException.class, () -> new Trainer(q, Trainer.Loss.MSE));
        assertTrue(t.evaluate(new float[1][32], new float[1][32]) >= 0);
    }
}
