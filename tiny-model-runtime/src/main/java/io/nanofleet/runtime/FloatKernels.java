package io.nanofleet.runtime;

/**
 * Float forward kernels on flat, batch-1 buffers. Dense and Conv1D accumulate in float through
 * {@link Dot} (eight interleaved partial sums), close enough to ONNX Runtime for the 1e-5 parity tests.
 */
final class FloatKernels {
    private FloatKernels() {
    }

    static void relu(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] = Math.max(0f, x[i]);
        }
    }

    static void tanh(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] = (float) Math.tanh(x[i]);
        }
    }

    static void sigmoid(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] = sigmoid(x[i]);
        }
    }

    static float sigmoid(float v) {
        return (float) (1.0 / (1.0 + Math.exp(-v)));
    }

    static void softmax(float[] x, float[] y, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[i]);
        }
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[i] - max);
            y[i] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int i = 0; i < n; i++) {
            y[i] *= inv;
        }
    }

    static void add(float[] a, float[] b, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] = a[i] + b[i];
        }
    }

    /** Ids out of [0, vocab) are a caller error: they throw rather than read another row. */
    static void embeddingBag(float[] ids, float[] table, float[] y, int count, int vocab, int dim) {
        for (int d = 0; d < dim; d++) {
            y[d] = 0f;
        }
        for (int t = 0; t < count; t++) {
            int id = (int) ids[t];
            if (id < 0 || id >= vocab || id != ids[t]) {
                throw new IllegalArgumentException("embedding id " + ids[t] + " at position " + t + " is not an integer in [0, " + vocab + ")");
            }
            int row = id * dim;
            for (int d = 0; d < dim; d++) {
                y[d] += table[row + d];
            }
        }
        for (int d = 0; d < dim; d++) {
            y[d] = y[d] / count;
        }
    }

    /** {@code b} may be null (no bias), which the int8 kernels use to get the raw exact sums. */
    static void denseDot(float[] x, float[] w, float[] b, float[] y, int in, int out) {
        for (int o = 0; o < out; o++) {
            y[o] = Dot.dot(w, o * in, x, 0, in) + (b == null ? 0f : b[o]);
        }
    }

    /**
     * Conv1D as im2col + dot: cols[t] holds the receptive field of output step t (zeros where it reaches
     * into the padding), laid out [inC][k] like a weight row, so each output is one contiguous dot product.
     */
    static void conv1dIm2col(float[] x, float[] w, float[] b, float[] y, float[] cols, int inC, int outC, int k,
                             int stride, int pad, int lIn, int lOut) {
        int rowLen = inC * k;
        for (int t = 0; t < lOut; t++) {
            int start = t * stride - pad;
            int c = t * rowLen;
            for (int ic = 0; ic < inC; ic++) {
                int xBase = ic * lIn;
                for (int j = 0; j < k; j++) {
                    int p = start + j;
                    cols[c++] = p >= 0 && p < lIn ? x[xBase + p] : 0f;
                }
            }
        }
        for (int oc = 0; oc < outC; oc++) {
            int wOff = oc * rowLen;
            float bias = b == null ? 0f : b[oc];
            for (int t = 0; t < lOut; t++) {
                y[oc * lOut + t] = Dot.dot(w, wOff, cols, t * rowLen, rowLen) + bias;
            }
        }
    }
}
