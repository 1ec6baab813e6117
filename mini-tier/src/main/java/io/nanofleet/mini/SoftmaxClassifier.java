package io.nanofleet.mini;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Multinomial logistic regression (one softmax layer) on standardized sentence embeddings: logits
 * {@code W (x - mean) / scale + b}, trained on softmax cross-entropy with L2 on {@code W} by mini-batch
 * Adam. Deterministic for a seed. Immutable once trained, so one instance serves every thread.
 */
public final class SoftmaxClassifier {
    /** Training settings. */
    public record Options(int epochs, int batch, float learningRate, float l2, long seed) {
        public Options {
            if (epochs < 1 || batch < 1 || !(learningRate > 0) || !(l2 >= 0)) {
                throw new IllegalArgumentException("bad options " + epochs + "/" + batch + "/" + learningRate + "/" + l2);
            }
        }

        /** The settings the shipped figures were measured with (BENCHMARKS.md). */
        public static Options defaults() {
            return new Options(25, 32, 0.001f, 1e-3f, 42);
        }

        public Options withEpochs(int e) {
            return new Options(e, batch, learningRate, l2, seed);
        }

        public Options withL2(float v) {
            return new Options(epochs, batch, learningRate, v, seed);
        }

        public Options withLearningRate(float v) {
            return new Options(epochs, batch, v, l2, seed);
        }
    }

    private final List<String> labels;
    private final float[] mean;
    private final float[] scale;
    private final float[][] w;
    private final float[] b;

    private SoftmaxClassifier(List<String> labels, float[] mean, float[] scale, float[][] w, float[] b) {
        this.labels = List.copyOf(labels);
        this.mean = mean;
        this.scale = scale;
        this.w = w;
        this.b = b;
    }

    /**
     * @param x      one row per example, all of the same width
     * @param y      the label index of each row, in {@code [0, labels.size())}
     */
    public static SoftmaxClassifier train(float[][] x, int[] y, List<String> labels, Options o, Consumer<String> progress) {
        int n = x.length;
        if (n == 0 || y.length != n) {
            throw new IllegalArgumentException("need as many labels as rows, and at least one row");
        }
        int d = x[0].length;
        int c = labels.size();
        float[] mean = new float[d];
        float[] scale = new float[d];
        for (float[] row : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        for (float[] row : x) {
            for (int j = 0; j < d; j++) {
                float v = row[j] - mean[j];
                scale[j] += v * v;
            }
        }
        for (int j = 0; j < d; j++) {
            scale[j] = (float) Math.sqrt(scale[j] / n + 1e-8);
        }
        float[][] z = new float[n][d];
        for (int i = 0; i < n; i++) {
            if (y[i] < 0 || y[i] >= c) {
                throw new IllegalArgumentException("label " + y[i] + " of row " + i + " is not in [0, " + c + ")");
            }
            standardize(x[i], mean, scale, z[i]);
        }
        float[][] w = new float[c][d];
        float[] b = new float[c];
        float[][] mw = new float[c][d], vw = new float[c][d], gw = new float[c][d];
        float[] mb = new float[c], vb = new float[c], gb = new float[c];
        float[] p = new float[c];
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(o.seed());
        final float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
        long t = 0;
        for (int epoch = 0; epoch < o.epochs(); epoch++) {
            for (int i = n - 1; i > 0; i--) {
                int k = rnd.nextInt(i + 1);
                int s = order[i];
                order[i] = order[k];
                order[k] = s;
            }
            double loss = 0;
            for (int start = 0; start < n; start += o.batch()) {
                int end = Math.min(n, start + o.batch());
                for (float[] g : gw) {
                    java.util.Arrays.fill(g, 0f);
                }
                java.util.Arrays.fill(gb, 0f);
                for (int q = start; q < end; q++) {
                    int i = order[q];
                    float[] xi = z[i];
                    logits(w, b, xi, p);
                    loss -= softmaxInPlace(p, y[i]);
                    p[y[i]] -= 1f;
                    for (int k = 0; k < c; k++) {
                        float pk = p[k];
                        gb[k] += pk;
                        float[] g = gw[k];
                        for (int j = 0; j < d; j++) {
                            g[j] += pk * xi[j];
                        }
                    }
                }
                float inv = 1f / (end - start);
                t++;
                float c1 = (float) (1 - Math.pow(beta1, t));
                float c2 = (float) (1 - Math.pow(beta2, t));
                float lr = o.learningRate();
                for (int k = 0; k < c; k++) {
                    float[] wk = w[k], g = gw[k], m = mw[k], v = vw[k];
                    for (int j = 0; j < d; j++) {
                        float gj = g[j] * inv + o.l2() * wk[j];
                        m[j] = beta1 * m[j] + (1 - beta1) * gj;
                        v[j] = beta2 * v[j] + (1 - beta2) * gj * gj;
                        wk[j] -= lr * (m[j] / c1) / ((float) Math.sqrt(v[j] / c2) + eps);
                    }
                    float gj = gb[k] * inv;
                    mb[k] = beta1 * mb[k] + (1 - beta1) * gj;
                    vb[k] = beta2 * vb[k] + (1 - beta2) * gj * gj;
                    b[k] -= lr * (mb[k] / c1) / ((float) Math.sqrt(vb[k] / c2) + eps);
                }
            }
            if ((epoch + 1) % 10 == 0 || epoch + 1 == o.epochs()) {
                progress.accept(String.format(java.util.Locale.ROOT, "epoch %d/%d: mean loss %.4f", epoch + 1, o.epochs(), loss / n));
            }
        }
        return new SoftmaxClassifier(labels, mean, scale, w, b);
    }

    /** Raw logits of one embedding (the temperature is applied by the caller). */
    public float[] logits(float[] x) {
        float[] z = new float[mean.length];
        standardize(x, mean, scale, z);
        float[] out = new float[b.length];
        logits(w, b, z, out);
        return out;
    }

    public List<String> labels() {
        return labels;
    }

    public int dimension() {
        return mean.length;
    }

    private static void standardize(float[] x, float[] mean, float[] scale, float[] out) {
        if (x.length != mean.length) {
            throw new IllegalArgumentException("expected " + mean.length + " features, got " + x.length);
        }
        for (int j = 0; j < x.length; j++) {
            out[j] = (x[j] - mean[j]) / scale[j];
        }
    }

    private static void logits(float[][] w, float[] b, float[] x, float[] out) {
        for (int k = 0; k < b.length; k++) {
            float[] wk = w[k];
            float s = b[k];
            for (int j = 0; j < x.length; j++) {
                s += wk[j] * x[j];
            }
            out[k] = s;
        }
    }

    /** Turns logits into probabilities in place; returns log p[gold]. */
    private static double softmaxInPlace(float[] p, int gold) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : p) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int k = 0; k < p.length; k++) {
            sum += Math.exp(p[k] - max);
        }
        double logGold = p[gold] - max - Math.log(sum);
        for (int k = 0; k < p.length; k++) {
            p[k] = (float) (Math.exp(p[k] - max) / sum);
        }
        return logGold;
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(labels.size());
        out.writeInt(mean.length);
        for (String l : labels) {
            out.writeUTF(l);
        }
        writeFloats(out, mean);
        writeFloats(out, scale);
        for (float[] row : w) {
            writeFloats(out, row);
        }
        writeFloats(out, b);
    }

    static SoftmaxClassifier read(DataInputStream in) throws IOException {
        int c = in.readInt();
        int d = in.readInt();
        if (c < 1 || c > 100_000 || d < 1 || d > 100_000) {
            throw new IOException("bad classifier shape " + c + " x " + d);
        }
        List<String> labels = new ArrayList<>();
        for (int k = 0; k < c; k++) {
            labels.add(in.readUTF());
        }
        float[] mean = readFloats(in, d);
        float[] scale = readFloats(in, d);
        float[][] w = new float[c][];
        for (int k = 0; k < c; k++) {
            w[k] = readFloats(in, d);
        }
        float[] b = readFloats(in, c);
        return new SoftmaxClassifier(labels, mean, scale, w, b);
    }

    private static void writeFloats(DataOutputStream out, float[] v) throws IOException {
        for (float x : v) {
            out.writeFloat(x);
        }
    }

    private static float[] readFloats(DataInputStream in, int n) throws IOException {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = in.readFloat();
        }
        return v;
    }
}
