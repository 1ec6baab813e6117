package io.nanofleet.anomaly.detect;

/**
 * A float linear autoencoder: out = mean + P P^T (in - mean), with P the k leading principal directions of the
 * training vectors. It is the closed-form optimum of a linear Dense(n->k)->Dense(k->n) autoencoder under MSE,
 * which is why it doubles as the initialisation of the runtime model (see {@link AutoencoderTrainer}).
 * With k = 0 it reconstructs the mean, so the residual is the vector itself.
 */
public final class LinearReconstructor implements Reconstructor {
    private final int n;
    private final int k;
    private final float[] mean;
    private final float[] components; // k rows of n, orthonormal
    private final float[] code;

    public LinearReconstructor(float[] mean, float[] components, int k) {
        this.n = mean.length;
        this.k = k;
        if (components.length != k * n) {
            throw new IllegalArgumentException("components must hold k x n = " + k * n + " values, got " + components.length);
        }
        this.mean = mean.clone();
        this.components = components.clone();
        this.code = new float[k];
    }

    /** Fits the k leading principal directions of {@code vectors} (rows of equal length). */
    public static LinearReconstructor fit(float[][] vectors, int k) {
        int n = vectors[0].length;
        if (k < 0 || k > n) {
            throw new IllegalArgumentException("k must be in [0, " + n + "], got " + k);
        }
        double[] mean = new double[n];
        for (float[] v : vectors) {
            for (int i = 0; i < n; i++) {
                mean[i] += v[i];
            }
        }
        for (int i = 0; i < n; i++) {
            mean[i] /= vectors.length;
        }
        double[][] cov = new double[n][n];
        for (float[] v : vectors) {
            for (int i = 0; i < n; i++) {
                double di = v[i] - mean[i];
                for (int j = i; j < n; j++) {
                    cov[i][j] += di * (v[j] - mean[j]);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                cov[i][j] /= vectors.length;
                cov[j][i] = cov[i][j];
            }
        }
        double[][] vecs = SymmetricEigen.decompose(cov); // columns sorted by descending eigenvalue
        float[] comps = new float[k * n];
        for (int c = 0; c < k; c++) {
            for (int i = 0; i < n; i++) {
                comps[c * n + i] = (float) vecs[i][c];
            }
        }
        float[] m = new float[n];
        for (int i = 0; i < n; i++) {
            m[i] = (float) mean[i];
        }
        return new LinearReconstructor(m, comps, k);
    }

    public int components() {
        return k;
    }

    public float[] mean() {
        return mean.clone();
    }

    /** Row-major k x n. */
    public float[] componentMatrix() {
        return components.clone();
    }

    @Override
    public int size() {
        return n;
    }

    @Override
    public void reconstruct(float[] in, float[] out) {
        for (int c = 0; c < k; c++) {
            float s = 0;
            for (int i = 0; i < n; i++) {
                s += components[c * n + i] * (in[i] - mean[i]);
            }
            code[c] = s;
        }
        for (int i = 0; i < n; i++) {
            float s = mean[i];
            for (int c = 0; c < k; c++) {
                s += components[c * n + i] * code[c];
            }
            out[i] = s;
        }
    }
}
