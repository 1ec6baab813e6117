package io.nanofleet.runtime;

import static io.nanofleet.runtime.FixedPoint.multiplyByQuantizedMultiplier;

/**
 * int8 kernels following TFLite's reference semantics: int32 accumulation, requantization with
 * {@link FixedPoint#multiplyByQuantizedMultiplier} (gemmlowp rounding), fused activation as a clamp.
 */
final class Int8Kernels {
    private Int8Kernels() {
    }

    /**
     * Dense with the input zero point folded into {@code foldedBias} (bias - zpX * sum(w row)), so the inner
     * loop is a plain int8 dot product.
     */
    static void dense(byte[] x, byte[] w, int[] foldedBias, int[] mult, int[] shift, byte[] y,
                      int in, int out, int zpY, int lo, int hi) {
        for (int o = 0; o < out; o++) {
            int acc = 0;
            int row = o * in;
            for (int i = 0; i < in; i++) {
                acc += x[i] * w[row + i];
            }
            int v = multiplyByQuantizedMultiplier(acc + foldedBias[o], mult[o], shift[o]) + zpY;
            y[o] = (byte) (v < lo ? lo : (v > hi ? hi : v));
        }
    }

    static void conv1d(byte[] x, byte[] w, int[] bias, int[] mult, int[] shift, byte[] y, int inC, int outC, int k,
                       int stride, int pad, int lIn, int lOut, int zpX, int zpY, int lo, int hi) {
        for (int oc = 0; oc < outC; oc++) {
            for (int t = 0; t < lOut; t++) {
                int acc = bias[oc];
                int start = t * stride - pad;
                for (int ic = 0; ic < inC; ic++) {
                    int wBase = (oc * inC + ic) * k;
                    int xBase = ic * lIn;
                    for (int j = 0; j < k; j++) {
                        int p = start + j;
                        if (p >= 0 && p < lIn) {
                            acc += (x[xBase + p] - zpX) * w[wBase + j];
                        }
                    }
                }
                int v = multiplyByQuantizedMultiplier(acc, mult[oc], shift[oc]) + zpY;
                y[oc * lOut + t] = (byte) (v < lo ? lo : (v > hi ? hi : v));
            }
        }
    }

    /** Any int8 -> int8 element-wise map (ReLU, Tanh, Sigmoid, requantization) as a 256-entry table. */
    static void lookup(byte[] x, byte[] lut, byte[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] = lut[x[i] + 128];
        }
    }

    /** TFLite's quantized Add: both inputs rescaled to a common 2^20-scaled fixed-point domain. */
    static void add(byte[] a, byte[] b, byte[] y, int n, int zpA, int zpB, int zpY, int[] p, int lo, int hi) {
        for (int i = 0; i < n; i++) {
            int sa = multiplyByQuantizedMultiplier((a[i] - zpA) << 20, p[0], p[1]);
            int sb = multiplyByQuantizedMultiplier((b[i] - zpB) << 20, p[2], p[3]);
            int v = multiplyByQuantizedMultiplier(sa + sb, p[4], p[5]) + zpY;
            y[i] = (byte) (v < lo ? lo : (v > hi ? hi : v));
        }
    }

    /**
     * Softmax: exponentials of (q - max) * scale come from a 256-entry table, the normalisation is in float and
     * the output uses TFLite's fixed output quantization (scale 1/256, zero point -128).
     */
    static void softmax(byte[] x, float[] expTable, float[] scratch, byte[] y, int n) {
        int max = -128;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[i]);
        }
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            float e = expTable[max - x[i]];
            scratch[i] = e;
            sum += e;
        }
        float inv = 256f / sum;
        for (int i = 0; i < n; i++) {
            int v = FixedPoint.roundHalfAwayFromZero(scratch[i] * inv) - 128;
            y[i] = (byte) (v > 127 ? 127 : v);
        }
    }

    static void embeddingBag(float[] ids, byte[] table, int[] acc, byte[] y, int count, int vocab, int dim,
                             int mult, int shift, int zpY) {
        for (int d = 0; d < dim; d++) {
            acc[d] = 0;
        }
        for (int t = 0; t < count; t++) {
            int id = (int) ids[t];
            if (id < 0 || id >= vocab || id != ids[t]) {
                throw new IllegalArgumentException("embedding id " + ids[t] + " at position " + t + " is not an integer in [0, " + vocab + ")");
            }
            int row = id * dim;
            for (int d = 0; d < dim; d++) {
                acc[d] += table[row + d];
            }
        }
        for (int d = 0; d < dim; d++) {
            y[d] = (byte) FixedPoint.clampInt8(multiplyByQuantizedMultiplier(acc[d], mult, shift) + zpY);
        }
    }
}
