package io.nanofleet.anomaly.detect;

import java.util.Arrays;

/**
 * Fits a {@link Calibration} from a machine's first normal rows, in two steps so that a model can be trained
 * in between (strict protocol): {@link #prepare} computes the scaler and the smoothed vectors the model sees;
 * {@link #calibrate} measures the given model's residuals on those vectors and sets the threshold at
 * {@code quantile(scores) x thresholdFactor}.
 */
public final class Calibrator {
    private final DetectorConfig config;

    public Calibrator(DetectorConfig config) {
        this.config = config;
    }

    /** Scaler statistics and the smoothed, scaled vectors of the calibration rows (full windows only). */
    public record Prepared(float[] mean, float[] std, float[][] vectors) {
    }

    public Prepared prepare(float[][] rows) {
        if (rows.length < config.calibrationRows()) {
            throw new IllegalArgumentException("calibration needs " + config.calibrationRows() + " rows, got " + rows.length);
        }
        int n = rows[0].length;
        int m = config.calibrationRows();
        double[] sum = new double[n];
        double[] sq = new double[n];
        for (int r = 0; r < m; r++) {
            if (rows[r].length != n) {
                throw new IllegalArgumentException("row " + r + " has " + rows[r].length + " channels, expected " + n);
            }
            for (int c = 0; c < n; c++) {
                sum[c] += rows[r][c];
            }
        }
        float[] mean = new float[n];
        for (int c = 0; c < n; c++) {
            mean[c] = (float) (sum[c] / m);
        }
        for (int r = 0; r < m; r++) {
            for (int c = 0; c < n; c++) {
                double d = rows[r][c] - mean[c];
                sq[c] += d * d;
            }
        }
        float[] std = new float[n];
        for (int c = 0; c < n; c++) {
            std[c] = (float) floor(Math.sqrt(sq[c] / m), mean[c]);
        }
        return new Prepared(mean, std, smoothed(rows, 0, m, mean, std, config.window()));
    }

    /** Residual scale and threshold of {@code model} on the prepared calibration vectors. */
    public Calibration calibrate(Prepared p, Reconstructor model) {
        int n = p.mean().length;
        float[][] v = p.vectors();
        float[] recon = new float[n];
        double[][] res = new double[v.length][n];
        for (int i = 0; i < v.length; i++) {
            model.reconstruct(v[i], recon);
            for (int c = 0; c < n; c++) {
                res[i][c] = v[i][c] - recon[c];
            }
        }
        return fromResiduals(p, res);
    }

    /**
     * Like {@link #calibrate}, for a model trained on these same vectors (strict protocol): residuals of a model
     * on its own training data understate the residuals it will see later, so each of {@code folds} contiguous
     * blocks is scored by a model trained on the other blocks (cross-fitting), and the residual scale and
     * threshold come from those out-of-sample residuals.
     */
    public Calibration calibrateCrossFitted(Prepared p, java.util.function.Function<float[][], Reconstructor> train, int folds) {
        int n = p.mean().length;
        float[][] v = p.vectors();
        double[][] res = new double[v.length][n];
        float[] recon = new float[n];
        for (int f = 0; f < folds; f++) {
            int from = v.length * f / folds;
            int to = v.length * (f + 1) / folds;
            // Vectors within one window of the held-out block share samples with it: leave them out of training too.
            int gapFrom = Math.max(0, from - config.window() + 1);
            int gapTo = Math.min(v.length, to + config.window() - 1);
            float[][] rest = new float[v.length - (gapTo - gapFrom)][];
            System.arraycopy(v, 0, rest, 0, gapFrom);
            System.arraycopy(v, gapTo, rest, gapFrom, v.length - gapTo);
            Reconstructor m = train.apply(rest);
            for (int i = from; i < to; i++) {
                m.reconstruct(v[i], recon);
                for (int c = 0; c < n; c++) {
                    res[i][c] = v[i][c] - recon[c];
                }
            }
        }
        return fromResiduals(p, res);
    }

    private Calibration fromResiduals(Prepared p, double[][] res) {
        int n = p.mean().length;
        double[] sq = new double[n];
        for (double[] r : res) {
            for (int c = 0; c < n; c++) {
                sq[c] += r[c] * r[c];
            }
        }
        float[][] v = p.vectors();
        float[] scale = new float[n];
        for (int c = 0; c < n; c++) {
            // The floor keeps a channel the model reconstructs perfectly from dividing by ~0 later.
            scale[c] = (float) Math.max(Math.sqrt(sq[c] / v.length), 1e-3);
        }
        double[] scores = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            double s = 0;
            for (int c = 0; c < n; c++) {
                double e = res[i][c] / scale[c];
                s += e * e;
            }
            scores[i] = s;
        }
        double threshold = quantile(scores, config.quantile()) * config.thresholdFactor();
        return new Calibration(p.mean(), p.std(), scale, Math.max(threshold, 1e-6));
    }

    /**
     * Rows [from, to) scaled with {@code mean}/{@code std} and smoothed by the detector's trailing mean; only
     * positions with a full window are returned (to - from - window + 1 vectors).
     */
    public static float[][] smoothed(float[][] rows, int from, int to, float[] mean, float[] std, int window) {
        int n = mean.length;
        TrailingMean tm = new TrailingMean(n, window);
        float[] z = new float[n];
        float[][] out = new float[to - from - window + 1][];
        int k = 0;
        for (int r = from; r < to; r++) {
            for (int c = 0; c < n; c++) {
                z[c] = (rows[r][c] - mean[c]) / std[c];
            }
            float[] s = new float[n];
            tm.push(z, s);
            if (tm.full()) {
                out[k++] = s;
            }
        }
        return out;
    }

    /** A channel that is constant during calibration still gets a usable scale: a tiny fraction of its level. */
    static double floor(double std, double mean) {
        return Math.max(std, Math.max(1e-6, 1e-6 * Math.abs(mean)));
    }

    /** Linear-interpolated quantile (numpy's default method). */
    static double quantile(double[] values, double q) {
        double[] s = values.clone();
        Arrays.sort(s);
        double pos = q * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, s.length - 1);
        return s[lo] + (pos - lo) * (s[hi] - s[lo]);
    }
}
