package io.nanofleet.runtime;

import static io.nanofleet.runtime.FixedPoint.multiplyByQuantizedMultiplier;

/**
 * int8 kernels following TFLite's reference semantics: int32 accumulation, requantization with
 * {@link FixedPoint#multiplyByQuantizedMultiplier} (gemmlowp rounding), fused activation as a clamp.
 */
final class Int8Kernels {
    private Int8Kernels() {
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
        // Padding (id 0) fills the tail of every short text; its row is added once, times the number of
        // padding ids. Integer sums do not depend on order, so this is exact, and it saves about half the
        // work on a typical command.
        int padding = 0;
        for (int t = 0; t < count; t++) {
            int id = (int) ids[t];
            if (id < 0 || id >= vocab || id != ids[t]) {
                throw new IllegalArgumentException("embedding id " + ids[t] + " at position " + t + " is not an integer in [0, " + vocab + ")");
            }
            if (id == 0) {
                padding++;
                continue;
            }
            int row = id * dim;
            for (int d = 0; d < dim; d++) {
                acc[d] += table[row + d];
            }
        }
        if (padding > 0) {
            for (int d = 0; d < dim; d++) {
                acc[d] += padding * table[d];
            }
        }
        for (int d = 0; d < dim; d++) {
            y[d] = (byte) FixedPoint.clampInt8(multiplyByQuantizedMultiplier(acc[d], mult, shift) + zpY);
        }
    }

    /**
     * acc[c * len + t] -> int8 with channel c's multiplier, zero point and fused-activation clamp. This is
     * {@link FixedPoint#multiplyByQuantizedMultiplier} inlined (same arithmetic, bit for bit; the multiplier is
     * never INT32_MIN, so the high-mul's saturation case cannot occur) because it runs once per output.
     */
    private static void requantize(int[] acc, int[] mult, int[] shift, byte[] y, int channels, int len, int zpY, int lo, int hi) {
        for (int c = 0; c < channels; c++) {
            long m = mult[c];
            int s = shift[c];
            int left = s > 0 ? s : 0;
            int right = s > 0 ? 0 : -s;
            int mask = (int) ((1L << right) - 1);
            int half = mask >> 1;
            int base = c * len;
            for (int t = 0; t < len; t++) {
                long ab = (long) (acc[base + t] << left) * m;
                int high = (int) ((ab + (ab >= 0 ? (1L << 30) : (1L - (1L << 30)))) / (1L << 31));
                int v = (high >> right) + ((high & mask) > half + (high < 0 ? 1 : 0) ? 1 : 0) + zpY;
                y[base + t] = (byte) (v < lo ? lo : (v > hi ? hi : v));
            }
        }
    }

    /**
     * Dense on an int-widened input and int-widened row-major weights. A plain int dot product is the form
     * C2 vectorizes best (int addition is associative, so it may use a vector reduction); byte arrays,
     * transposed axpy loops and manually unrolled lanes all measured slower on this JDK. The input zero
     * point is folded into the bias.
     */
    static void denseDot(byte[] x, int[] xs, int[] w, int[] foldedBias, int[] acc, int[] mult, int[] shift, byte[] y,
                         int in, int out, int zpY, int lo, int hi) {
        for (int i = 0; i < in; i++) {
            xs[i] = x[i];
        }
        for (int o = 0; o < out; o++) {
            acc[o] = dot(w, o * in, xs, 0, in) + foldedBias[o];
        }
        requantize(acc, mult, shift, y, out, 1, zpY, lo, hi);
    }

    /** Conv1D as im2col of (x - zpX) (padding contributes exactly zero) + int dot products. */
    static void conv1dIm2col(byte[] x, int[] cols, int[] w, int[] bias, int[] acc, int[] mult, int[] shift, byte[] y,
                             int inC, int outC, int k, int stride, int pad, int lIn, int lOut, int zpX, int zpY, int lo, int hi) {
        int rowLen = inC * k;
        for (int t = 0; t < lOut; t++) {
            int start = t * stride - pad;
            int c = t * rowLen;
            for (int ic = 0; ic < inC; ic++) {
                int xBase = ic * lIn;
                for (int j = 0; j < k; j++) {
                    int p = start + j;
                    cols[c++] = p >= 0 && p < lIn ? x[xBase + p] - zpX : 0;
                }
            }
        }
        for (int oc = 0; oc < outC; oc++) {
            int wOff = oc * rowLen;
            for (int t = 0; t < lOut; t++) {
                acc[oc * lOut + t] = dot(w, wOff, cols, t * rowLen, rowLen) + bias[oc];
            }
        }
        requantize(acc, mult, shift, y, outC, lOut, zpY, lo, hi);
    }

    private static int dot(int[] a, int aOff, int[] b, int bOff, int n) {
        int s = 0;
        for (int i = 0; i < n; i++) {
            s += a[aOff + i] * b[bOff + i];
        }
        return s;
    }

    /**
     * Largest dot-product length whose int32 accumulation is exact in float: every partial sum of int8 x int8
     * products (|p| <= 128 * 127, or 255 * 127 after subtracting a zero point) stays below 2^24, where
     * every integer is a float. Within it the int8 kernels accumulate in float (the SIMD-packed
     * {@link Dot}) and get bit-identical int32 results.
     */
    static int exactFloatLength(int maxProduct) {
        return (1 << 24) / maxProduct - 1;
    }

    /**
     * Dense through exact float accumulation (see {@link #exactFloatLength}). It calls the very same float
     * kernel as float models, so both share one compiled, vectorized method; the zero point is folded into
     * the int32 bias.
     */
    static void denseExactFloat(byte[] x, float[] xs, float[] w, int[] foldedBias, float[] accF, int[] acc, int[] mult,
                                int[] shift, byte[] y, int in, int out, int zpY, int lo, int hi) {
        for (int i = 0; i < in; i++) {
            xs[i] = x[i];
        }
        FloatKernels.denseDot(xs, w, null, accF, in, out);
        for (int o = 0; o < out; o++) {
            acc[o] = (int) accF[o] + foldedBias[o];
        }
        requantize(acc, mult, shift, y, out, 1, zpY, lo, hi);
    }

    /** Conv1D on (x - zpX) through the float im2col kernel (padding contributes exactly zero), exact as above. */
    static void conv1dExactFloat(byte[] x, float[] xs, float[] cols, float[] w, int[] bias, float[] accF, int[] acc,
                                 int[] mult, int[] shift, byte[] y, int inC, int outC, int k, int stride, int pad,
                                 int lIn, int lOut, int zpX, int zpY, int lo, int hi) {
        int n = inC * lIn;
        for (int i = 0; i < n; i++) {
            xs[i] = x[i] - zpX;
        }
        FloatKernels.conv1dIm2col(xs, w, null, accF, cols, inC, outC, k, stride, pad, lIn, lOut);
        for (int oc = 0; oc < outC; oc++) {
            int base = oc * lOut;
            for (int t = 0; t < lOut; t++) {
                acc[base + t] = (int) accF[base + t] + bias[oc];
            }
        }
        requantize(acc, mult, shift, y, outC, lOut, zpY, lo, hi);
    }
}
