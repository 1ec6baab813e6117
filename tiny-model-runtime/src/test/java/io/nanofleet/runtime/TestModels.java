package io.nanofleet.runtime;

import java.util.SplittableRandom;

/** Small models and data shared by the tests (and the benchmarks). */
public final class TestModels {
    private TestModels() {
    }

    /** ~1.5k-parameter dense autoencoder: 32 -> 16 -> 8 -> 16 -> 32 with ReLU/Tanh. */
    public static Model denseAutoencoder(long seed) {
        ModelBuilder b = new ModelBuilder(seed);
        int x = b.input(32);
        int h = b.relu(b.dense(x, 16));
        int z = b.tanh(b.dense(h, 8));
        int h2 = b.relu(b.dense(z, 16));
        return b.build(b.dense(h2, 32));
    }

    /** ~20k-parameter dense model: 128 -> 96 -> 64 -> 32 -> 128 (ReLU between). */
    public static Model denseMedium(long seed) {
        ModelBuilder b = new ModelBuilder(seed);
        int x = b.input(128);
        int h = b.relu(b.dense(x, 64));
        h = b.relu(b.dense(h, 48));
        h = b.relu(b.dense(h, 64));
        return b.build(b.dense(h, 128));
    }

    /** Conv1D autoencoder over 4 channels x 32 samples. */
    public static Model convAutoencoder(long seed) {
        ModelBuilder b = new ModelBuilder(seed);
        int x = b.input(4, 32);
        int c1 = b.relu(b.conv1d(x, 8, 5, 2, 2));     // [8][16]
        int c2 = b.relu(b.conv1d(c1, 8, 3, 1, 1));    // [8][16]
        int z = b.tanh(b.dense(b.flatten(b.add(c1, c2)), 16));
        int d = b.relu(b.dense(z, 8 * 16));
        int r = b.conv1d(b.reshape(d, 8, 16), 8, 3, 1, 1); // [8][16]
        int cat = b.concat(r, c1);                          // [16][16]
        return b.build(b.dense(b.flatten(cat), 4 * 32));
    }

    /** Hashed bag-of-words classifier: 12 ids over a 256-bucket vocabulary -> 4 classes with softmax. */
    public static Model textClassifier(long seed) {
        ModelBuilder b = new ModelBuilder(seed);
        int ids = b.idsInput(12);
        int e = b.embeddingBag(ids, 256, 16);
        int h = b.sigmoid(b.dense(e, 16));
        return b.build(b.softmax(b.dense(h, 4)));
    }

    public static float[][] gaussian(int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] x = new float[rows][cols];
        for (float[] row : x) {
            for (int i = 0; i < cols; i++) {
                row[i] = (float) (nextGaussian(r) * 0.8);
            }
        }
        return x;
    }

    /** Smooth multi-channel signals (sum of sines), the kind of window the anomaly detector sees. */
    public static float[][] sines(int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] x = new float[rows][cols];
        for (float[] row : x) {
            double f = 0.05 + r.nextDouble() * 0.2, ph = r.nextDouble() * 6.28, a = 0.5 + r.nextDouble();
            for (int i = 0; i < cols; i++) {
                row[i] = (float) (a * Math.sin(f * i + ph) + 0.05 * nextGaussian(r));
            }
        }
        return x;
    }

    public static float[][] ids(int rows, int count, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] x = new float[rows][count];
        for (float[] row : x) {
            for (int i = 0; i < count; i++) {
                row[i] = r.nextInt(vocab);
            }
        }
        return x;
    }

    static double nextGaussian(SplittableRandom r) {
        double u = Math.max(1e-12, r.nextDouble()), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
