package io.nanofleet.anomaly.detect;

import java.util.Arrays;

/**
 * What a device learns about its own machine from its first normal samples: per-channel scaling, the typical
 * size of each channel's residual, and the alarm threshold. Immutable.
 *
 * @param mean      per-channel mean of the calibration rows
 * @param std       per-channel standard deviation of the calibration rows (floored, never 0)
 * @param residualScale per-channel RMS of the model residual over the calibration rows (floored)
 * @param threshold score above which a sample is anomalous
 */
public record Calibration(float[] mean, float[] std, float[] residualScale, double threshold) {
    public Calibration {
        int n = mean.length;
        if (std.length != n || residualScale.length != n) {
            throw new IllegalArgumentException("calibration arrays differ in length");
        }
        for (int i = 0; i < n; i++) {
            if (!(std[i] > 0) || !(residualScale[i] > 0) || !Float.isFinite(mean[i])) {
                throw new IllegalArgumentException("calibration channel " + i + " is degenerate (std " + std[i]
                        + ", residual scale " + residualScale[i] + ", mean " + mean[i] + ")");
            }
        }
        if (!(threshold > 0) || Double.isInfinite(threshold)) {
            throw new IllegalArgumentException("threshold must be finite and > 0, got " + threshold);
        }
        mean = mean.clone();
        std = std.clone();
        residualScale = residualScale.clone();
    }

    public int channels() {
        return mean.length;
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    @Override
    public float[] residualScale() {
        return residualScale.clone();
    }

    @Override
    public String toString() {
        return "Calibration[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ", residualScale="
                + Arrays.toString(residualScale) + ", threshold=" + threshold + "]";
    }
}
