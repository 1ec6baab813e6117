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
        double threshold = boxQuantile(scores, config.quantile()) * config.thresholdFactor();
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

    /**
     * The q-quantile of the scores under Box's approximation, the classical control limit of the PCA Q-statistic:
     * a sum of squared residuals behaves like g * chi2(h), with g and h matched to the scores' mean and variance.
     * Estimated from two moments instead of from the few largest of ~400 strongly autocorrelated scores, the
     * threshold varies less from machine to machine. Falls back to the empirical quantile for degenerate scores.
     */
    static double boxQuantile(double[] scores, double q) {
        double mean = 0;
        for (double x : scores) {
            mean += x;
        }
        mean /= scores.length;
        double var = 0;
        for (double x : scores) {
            var += (x - mean) * (x - mean);
        }
        var /= scores.length;
        if (!(mean > 0) || !(var > 1e-12 * mean * mean) || q >= 1) {
            return quantile(scores, q);
        }
        double g = var / (2 * mean);
        double h = 2 * mean * mean / var;
        return g * chiSquareQuantile(h, q);
    }

    /** Wilson-Hilferty approximation of the chi-square quantile with h degrees of freedom (h may be fractional). */
    static double chiSquareQuantile(double h, double q) {
        double a = 2.0 / (9.0 * h);
        double c = 1 - a + normalQuantile(q) * Math.sqrt(a);
        return h * Math.max(c, 0) * Math.max(c, 0) * Math.max(c, 0);
    }

    /** Inverse standard normal CDF, Acklam's rational approximation (relative error < 1.2e-9), q in (0, 1). */
    static double normalQuantile(double q) {
        final double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
        final double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                6.680131188771972e+01, -1.328068155288572e+01};
        final double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
        final double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00};
        double lo = 0.02425;
        if (q < lo) {
            double t = Math.sqrt(-2 * Math.log(q));
            return (((((c[0] * t + c[1]) * t + c[2]) * t + c[3]) * t + c[4]) * t + c[5])
                    / ((((d[0] * t + d[1]) * t + d[2]) * t + d[3]) * t + 1);
        }
        if (q > 1 - lo) {
            return -normalQuantile(1 - q);
        }
        double u = q - 0.5;
        double r = u * u;
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * u
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
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
