package io.nanofleet.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

class InterpreterTest {
    private static final LongFunction<Model>[] MODELS = models();

    @SuppressWarnings("unchecked")
    private static LongFunction<Model>[] models() {
        return new LongFunction[]{TestModels::denseAutoencoder, TestModels::denseMedium, TestModels::convAutoencoder};
    }

    @Test
    void sharedBufferPlanGivesTheSameResultsAsOneBufferPerValue() {
        for (LongFunction<Model> f : MODELS) {
            Model m = f.apply(1);
            float[][] x = TestModels.gaussian(20, m.inputSize(), 2);
            Model q = Quantizer.minMax().quantize(m, x).model();
            for (Model model : new Model[]{m, q}) {
                Interpreter planned = new Interpreter(model);
                Interpreter all = new Interpreter(model, true);
                for (float[] row : x) {
                    assertArrayEquals(all.run(row).clone(), planned.run(row));
                }
            }
        }
    }

    @Test
    void int8TracksFloatOnEveryModel() {
        for (LongFunction<Model> f : MODELS) {
            Model m = f.apply(3);
            float[][] x = TestModels.sines(200, m.inputSize(), 4);
            Quantizer.Result q = Quantizer.minMax().quantize(m, x);
            Interpreter fi = new Interpreter(m);
            Interpreter qi = new Interpreter(q.model());
            double err = 0, range = 0;
            for (float[] row : x) {
                float[] a = fi.run(row);
                float[] b = qi.run(row);
                for (int i = 0; i < a.length; i++) {
                    err = Math.max(err, Math.abs(a[i] - b[i]));
                    range = Math.max(range, Math.abs(a[i]));
                }
            }
            assertTrue(err < 0.05 * range, "int8 error " + err + " vs output magnitude " + range + "\n" + q.report());
        }
    }

    @Test
    void int8ClassifierAgreesWithFloatOnTheArgmax() {
        Model m = TestModels.textClassifier(5);
        float[][] ids = TestModels.ids(300, 12, 256, 6);
        int[] labels = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            labels[i] = ((int) ids[i][0]) % 4;
        }
        new Trainer(m, Trainer.Loss.SOFTMAX_CROSS_ENTROPY).learningRate(1e-2f).epochs(15).seed(1).fit(ids, labels);
        Model q = Quantizer.minMax().quantize(m, ids).model();
        Interpreter fi = new Interpreter(m);
        Interpreter qi = new Interpreter(q);
        int agree = 0;
        for (float[] row : ids) {
            if (argmax(fi.run(row)) == argmax(qi.run(row))) {
                agree++;
            }
        }
        assertTrue(agree >= ids.length * 0.95, agree + " of " + ids.length + " argmax agree");
    }

    @Test
    void runAllocatesNothing() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (LongFunction<Model> f : MODELS) {
            Model m = f.apply(7);
            float[][] x = TestModels.gaussian(8, m.inputSize(), 8);
            for (Model model : new Model[]{m, Quantizer.minMax().quantize(m, x).model()}) {
                Interpreter it = new Interpreter(model);
                float[] in = it.input();
                for (int i = 0; i < 20_000; i++) { // let the JIT settle first
                    System.arraycopy(x[i & 7], 0, in, 0, in.length);
                    it.run();
                }
                long before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 10_000; i++) {
                    System.arraycopy(x[i & 7], 0, in, 0, in.length);
                    it.run();
                }
                long allocated = mx.getCurrentThreadAllocatedBytes() - before;
                assertTrue(allocated < 1024, allocated + " bytes allocated over 10k runs");
            }
        }
    }

    @Test
    void wrongInputLengthAndBadIdsAreTypedErrors() {
        Interpreter it = new Interpreter(TestModels.denseAutoencoder(1));
        assertThrows(IllegalArgumentException.class, () -> it.run(new float[3]));
        Interpreter clf = new Interpreter(TestModels.textClassifier(1));
        float[] ids = new float[12];
        ids[3] = 256;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> clf.run(ids));
        assertTrue(e.getMessage().contains("position 3"), e.getMessage());
    }

    @Test
    void quantizationReportCoversEveryNodeAndPercentileClipsOutliers() {
        Model m = TestModels.denseAutoencoder(9);
        float[][] x = TestModels.gaussian(200, 32, 10);
        x[0][0] = 40f; // one outlier
        Quantizer.Result mm = Quantizer.minMax().quantize(m, x);
        Quantizer.Result pc = Quantizer.percentile(99.9).quantize(m, x);
        assertEquals(mm.model().graph().nodes().size(), mm.report().size());
        float mmScale = mm.model().graph().value(mm.model().graph().input()).quant.scale();
        float pcScale = pc.model().graph().value(pc.model().graph().input()).quant.scale();
        assertTrue(pcScale < mmScale / 4, "percentile ignores the outlier: " + pcScale + " vs " + mmScale);
        assertThrows(IllegalArgumentException.class, () -> Quantizer.minMax().quantize(mm.model(), x));
        assertThrows(IllegalArgumentException.class, () -> Quantizer.percentile(30));
        assertThrows(IllegalArgumentException.class, () -> Quantizer.minMax().quantize(m, new float[0][]));
    }

    private static int argmax(float[] v) {
        int b = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[b]) {
                b = i;
            }
        }
        return b;
    }
}
