package io.nanofleet.mini;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SoftmaxClassifierTest {
    /** Three noisy clusters in 16 dimensions. */
    static float[][] x;
    static int[] y;

    static {
        SplittableRandom r = new SplittableRandom(7);
        x = new float[300][16];
        y = new int[300];
        for (int i = 0; i < 300; i++) {
            y[i] = i % 3;
            for (int j = 0; j < 16; j++) {
                x[i][j] = (float) (r.nextGaussian() * 0.5 + (j % 3 == y[i] ? 1.0 : 0.0));
            }
        }
    }

    static int argmax(float[] v) {
        return MiniTierTraining.argmax(v);
    }

    @Test
    void learnsSeparableClasses() {
        SoftmaxClassifier c = SoftmaxClassifier.train(x, y, List.of("a", "b", "c"), SoftmaxClassifier.Options.defaults(), s -> { });
        int right = 0;
        for (int i = 0; i < x.length; i++) {
            right += argmax(c.logits(x[i])) == y[i] ? 1 : 0;
        }
        assertTrue(right >= 290, right + "/300");
    }

    @Test
    void isDeterministicForASeedAndRoundTrips() throws Exception {
        SoftmaxClassifier.Options o = SoftmaxClassifier.Options.defaults().withEpochs(5);
        SoftmaxClassifier a = SoftmaxClassifier.train(x, y, List.of("a", "b", "c"), o, s -> { });
        SoftmaxClassifier b = SoftmaxClassifier.train(x, y, List.of("a", "b", "c"), o, s -> { });
        assertArrayEquals(a.logits(x[0]), b.logits(x[0]));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        a.write(new DataOutputStream(bytes));
        SoftmaxClassifier back = SoftmaxClassifier.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertEquals(a.labels(), back.labels());
        assertArrayEquals(a.logits(x[5]), back.logits(x[5]));
    }

    @Test
    void refusesBadInput() {
        assertThrows(IllegalArgumentException.class,
                () -> SoftmaxClassifier.train(x, new int[] {0}, List.of("a"), SoftmaxClassifier.Options.defaults(), s -> { }));
        int[] bad = y.clone();
        bad[3] = 9;
        assertThrows(IllegalArgumentException.class,
                () -> SoftmaxClassifier.train(x, bad, List.of("a", "b", "c"), SoftmaxClassifier.Options.defaults(), s -> { }));
        SoftmaxClassifier c = SoftmaxClassifier.train(x, y, List.of("a", "b", "c"), SoftmaxClassifier.Options.defaults().withEpochs(1), s -> { });
        assertThrows(IllegalArgumentException.class, () -> c.logits(new float[3]));
    }
}
