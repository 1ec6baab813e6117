package io.nanofleet.runtime;

/**
 * Reference kernels for ONNX's explicit quantization operators, run on float buffers holding integer values.
 * They follow ONNX Runtime, not TFLite: QuantizeLinear and the QLinear requantization round half to even,
 * and the requantization multiplier is a_scale * b_scale / y_scale computed in float.
 */
final class OnnxQuantKernels {
    private OnnxQuantKernels() {
    }

    /** aux = [scale]; auxInt = [zeroPoint, lo, hi]. */
    static void quantizeLinear(float[] x, float[] y, int n, float scale, int zp, int lo, int hi) {
        for (int i = 0; i < n; i++) {
            int v = FixedPoint.roundHalfToEven(x[i] / scale) + zp;
            y[i] = v < lo ? lo : (v > hi ? hi : v);
        }
    }

    static void dequantizeLinear(float[] x, float[] y, int n, float scale, int zp) {
        for (int i = 0; i < n; i++) {
            y[i] = ((int) x[i] - zp) * scale;
        }
    }

    /** B is [out][in] integer values; multipliers are a_scale * b_scale[o] / y_scale (float, as ORT). */
    static void qlinearMatMul(float[] a, int[] b, float[] y, int in, int out, int aZp, int[] bZp,
                              float[] multipliers, int yZp, int lo, int hi, int[] aScratch) {
        for (int i = 0; i < in; i++) {
            aScratch[i] = (int) a[i] - aZp;
        }
        for (int o = 0; o < out; o++) {
            int acc = 0;
            int row = o * in;
            int zb = bZp[bZp.length == 1 ? 0 : o];
            for (int i = 0; i < in; i++) {
                acc += aScratch[i] * (b[row + i] - zb);
            }
            float v = acc * multipliers[multipliers.length == 1 ? 0 : o];
            int q = FixedPoint.roundHalfToEven(v) + yZp;
            y[o] = q < lo ? lo : (q > hi ? hi : q);
        }
    }

    static void matMulInteger(float[] a, int[] b, float[] y, int in, int out, int aZp, int[] bZp) {
        for (int o = 0; o < out; o++) {
            int acc = 0;
            int row = o * in;
            int zb = bZp[bZp.length == 1 ? 0 : o];
            for (int i = 0; i < in; i++) {
                acc += ((int) a[i] - aZp) * (b[row + i] - zb);
            }
            y[o] = acc;
        }
    }
}
