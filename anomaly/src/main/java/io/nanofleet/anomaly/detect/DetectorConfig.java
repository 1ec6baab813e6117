package io.nanofleet.anomaly.detect;

/**
 * The detector's global hyperparameters. One set serves every machine and every file: nothing here is fitted
 * per file (per-machine fitting is {@link Calibration}). Defaults are {@link #DEFAULT}; the README explains how
 * each was chosen and how sensitive the benchmark figures are to it.
 *
 * @param window          trailing-mean length in samples applied to the scaled channels before the model
 * @param baselineTau     time constant (samples) of the per-channel baseline that follows slow drift
 * @param freezeZ         a channel's baseline stops following while its normalised residual is at least this
 * @param quantile        quantile of the calibration scores the threshold starts from
 * @param thresholdFactor threshold = quantile of calibration scores x this factor
 * @param releaseRatio    hysteresis: once anomalous, the detector stays anomalous until score < threshold x this
 * @param calibrationRows rows of normal operation used to calibrate (and, in the strict protocol, to train)
 */
public record DetectorConfig(int window, double baselineTau, double freezeZ, double quantile,
                             double thresholdFactor, double releaseRatio, int calibrationRows) {

    public static final DetectorConfig DEFAULT = new DetectorConfig(10, 200, 3.0, 0.99, 1.5, 1.0, 400);

    public DetectorConfig {
        if (window < 1 || window > 4096) {
            throw new IllegalArgumentException("window must be in [1, 4096], got " + window);
        }
        if (!(baselineTau >= 1)) {
            throw new IllegalArgumentException("baselineTau must be >= 1 sample, got " + baselineTau);
        }
        if (!(freezeZ > 0)) {
            throw new IllegalArgumentException("freezeZ must be > 0, got " + freezeZ);
        }
        if (!(quantile > 0 && quantile <= 1)) {
            throw new IllegalArgumentException("quantile must be in (0, 1], got " + quantile);
        }
        if (!(thresholdFactor > 0)) {
            throw new IllegalArgumentException("thresholdFactor must be > 0, got " + thresholdFactor);
        }
        if (!(releaseRatio > 0 && releaseRatio <= 1)) {
            throw new IllegalArgumentException("releaseRatio must be in (0, 1], got " + releaseRatio);
        }
        if (calibrationRows < 2 * window + 10) {
            throw new IllegalArgumentException("calibrationRows must be at least 2 x window + 10, got " + calibrationRows);
        }
    }

    public DetectorConfig withThresholdFactor(double f) {
        return new DetectorConfig(window, baselineTau, freezeZ, quantile, f, releaseRatio, calibrationRows);
    }

    public DetectorConfig withWindow(int w) {
        return new DetectorConfig(w, baselineTau, freezeZ, quantile, thresholdFactor, releaseRatio, calibrationRows);
    }

    public DetectorConfig withBaselineTau(double tau) {
        return new DetectorConfig(window, tau, freezeZ, quantile, thresholdFactor, releaseRatio, calibrationRows);
    }

    public DetectorConfig withReleaseRatio(double r) {
        return new DetectorConfig(window, baselineTau, freezeZ, quantile, thresholdFactor, r, calibrationRows);
    }
}
