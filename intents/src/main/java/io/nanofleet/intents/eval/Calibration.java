package io.nanofleet.intents.eval;

import java.util.Locale;

/**
 * Temperature scaling (Guo et al., "On Calibration of Modern Neural Networks", 2017) and the offload
 * threshold, both fitted on out-of-fold logits, so the confidence the device compares with its threshold
 * is a probability that held on text the model had not seen.
 */
public final class Calibration {
    private Calibration() {
    }

    /** The temperature in [0.25, 8] minimizing the negative log-likelihood of the gold labels (-1 = unknown, skipped). */
    public static float temperature(float[][] logits, int[] gold) {
        double bestT = 1, bestNll = Double.POSITIVE_INFINITY;
        for (int step = 0; step <= 120; step++) {
            double t = 0.25 * Math.pow(32, step / 120.0);
            double nll = nll(logits, gold, t);
            if (nll < bestNll) {
                bestNll = nll;
                bestT = t;
            }
        }
        return (float) bestT;
    }

    static double nll(float[][] logits, int[] gold, double t) {
        double total = 0;
        int n = 0;
        for (int i = 0; i < logits.length; i++) {
            if (gold[i] < 0) {
                continue;
            }
            float[] z = logits[i];
            double max = Double.NEGATIVE_INFINITY;
            for (float v : z) {
                max = Math.max(max, v / t);
            }
            double sum = 0;
            for (float v : z) {
                sum += Math.exp(v / t - max);
            }
            total += -(z[gold[i]] / t - max - Math.log(sum));
            n++;
        }
        return total / Math.max(1, n);
    }

    /** Softmax of {@code z / t}. */
    public static float[] softmax(float[] z, float t) {
        float[] p = new float[z.length];
        double max = Double.NEGATIVE_INFINITY;
        for (float v : z) {
            max = Math.max(max, v / t);
        }
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            p[i] = (float) Math.exp(z[i] / t - max);
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= (float) sum;
        }
        return p;
    }

    /** Expected calibration error and a 10-bin reliability table of top-1 confidence against accuracy. */
    public static String reliability(float[] confidence, boolean[] correct) {
        int bins = 10;
        int[] n = new int[bins];
        double[] conf = new double[bins];
        int[] right = new int[bins];
        for (int i = 0; i < confidence.length; i++) {
            int b = Math.min(bins - 1, (int) (confidence[i] * bins));
            n[b]++;
            conf[b] += confidence[i];
            right[b] += correct[i] ? 1 : 0;
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-11s %6s %10s %9s%n", "confidence", "n", "mean_conf", "accuracy"));
        double ece = 0;
        for (int b = 0; b < bins; b++) {
            if (n[b] == 0) {
                continue;
            }
            double mc = conf[b] / n[b], acc = (double) right[b] / n[b];
            ece += Math.abs(mc - acc) * n[b] / confidence.length;
            sb.append(String.format(Locale.ROOT, "[%.1f, %.1f) %6d %10.4f %9.4f%n", b / 10.0, (b + 1) / 10.0, n[b], mc, acc));
        }
        sb.append(String.format(Locale.ROOT, "ece=%.4f%n", ece));
        return sb.toString();
    }
}
