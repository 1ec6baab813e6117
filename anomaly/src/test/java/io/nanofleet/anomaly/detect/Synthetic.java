package io.nanofleet.anomaly.detect;

import java.util.SplittableRandom;

/** Seeded synthetic sensor streams for detector tests. */
final class Synthetic {
    private Synthetic() {
    }

    /** rows x channels of Gaussian noise around per-channel levels 10*(c+1), std 0.5*(c+1). */
    static float[][] normal(int rows, int channels, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] x = new float[rows][channels];
        for (int i = 0; i < rows; i++) {
            for (int c = 0; c < channels; c++) {
                x[i][c] = (float) (10 * (c + 1) + 0.5 * (c + 1) * gaussian(r));
            }
        }
        return x;
    }

    static double gaussian(SplittableRandom r) {
        double u = r.nextDouble(1e-12, 1.0);
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
