package io.nanofleet.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The float-accumulating int8 kernels must be bit-identical to int32 accumulation up to their length bound. */
class Int8KernelsTest {
    @Test
    void exactFloatDenseEqualsInt32DenseAtTheBoundAndWorstCase() {
        int in = Int8Kernels.exactFloatLength(128 * 127);
        assertEquals(1031, in);
        int out = 3;
        SplittableRandom r = new SplittableRandom(1);
        for (int trial = 0; trial < 4; trial++) {
            byte[] x = new byte[in];
            byte[] w = new byte[in * out];
            if (trial == 0) {
                Arrays.fill(x, (byte) -128); // largest possible partial sums
                Arrays.fill(w, (byte) -127);
            } else {
                r.nextBytes(x);
                r.nextBytes(w);
                for (int i = 0; i < w.length; i++) {
                    w[i] = (byte) Math.max(-127, w[i]);
                }
            }
            int[] wi = new int[w.length];
            float[] wf = new float[w.length];
            for (int i = 0; i < w.length; i++) {
                wi[i] = w[i];
                wf[i] = w[i];
            }
            int[] bias = {7, -1_000_000, 123_456};
            int[] mult = {1 << 30, 1 << 30, 1 << 30};
            int[] shift = {-20, -20, -20};
            int[] accA = new int[out], accB = new int[out];
            byte[] yA = new byte[out], yB = new byte[out];
            Int8Kernels.denseDot(x, new int[in], wi, bias, accA, mult, shift, yA, in, out, 3, -128, 127);
            Int8Kernels.denseExactFloat(x, new float[in], wf, bias, new float[out], accB, mult, shift, yB, in, out, 3, -128, 127);
            assertArrayEquals(accA, accB, "int32 accumulators, trial " + trial);
            assertArrayEquals(yA, yB);
        }
    }

    @Test
    void inlinedRequantizationMatchesFixedPoint() {
        SplittableRandom r = new SplittableRandom(2);
        int n = 4096;
        int[] acc = new int[n];
        for (int i = 0; i < n; i++) {
            acc[i] = i < 4 ? new int[]{Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1}[i] : r.nextInt();
        }
        for (int s : new int[]{-31, -20, -1, 0, 1, 3}) {
            int m = (1 << 30) + r.nextInt(1 << 30);
            byte[] y = new byte[n];
            int[] oneAcc = new int[1];
            byte[] oneY = new byte[1];
            for (int i = 0; i < n; i++) {
                oneAcc[0] = acc[i];
                Int8Kernels.denseDot(new byte[0], new int[0], new int[0], oneAcc.clone(), new int[1], new int[]{m}, new int[]{s}, oneY, 0, 1, 5, -128, 127);
                int expected = FixedPoint.clampInt8(FixedPoint.multiplyByQuantizedMultiplier(acc[i], m, s) + 5);
                assertEquals(expected, oneY[0], "acc " + acc[i] + " shift " + s);
                y[i] = oneY[0];
            }
        }
    }
}
