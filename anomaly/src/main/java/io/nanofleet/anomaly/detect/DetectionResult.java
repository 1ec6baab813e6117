package io.nanofleet.anomaly.detect;

/**
 * The outcome of one {@link StreamingDetector#update}. The detector reuses a single instance: read it (or copy
 * what you need) before the next update.
 */
public final class DetectionResult {
    final float[] contributions;
    double score;
    boolean anomalous;
    int topChannel;

    DetectionResult(int channels) {
        this.contributions = new float[channels];
    }

    /** Sum of squared normalised residuals; compare with {@link StreamingDetector#threshold()}. */
    public double score() {
        return score;
    }

    public boolean anomalous() {
        return anomalous;
    }

    /** Channel c's share of the score (squared normalised residual); they sum to {@link #score()}. */
    public float contribution(int channel) {
        return contributions[channel];
    }

    public int channels() {
        return contributions.length;
    }

    /** The channel that contributed most to this score. */
    public int topChannel() {
        return topChannel;
    }

    /**
     * Writes the indices of the {@code into.length} largest contributors into {@code into}, largest first, and
     * returns how many were written. No allocation: the caller owns the array.
     */
    public int topChannels(int[] into) {
        int k = Math.min(into.length, contributions.length);
        for (int i = 0; i < k; i++) {
            int best = -1;
            for (int c = 0; c < contributions.length; c++) {
                if (!taken(into, i, c) && (best < 0 || contributions[c] > contributions[best])) {
                    best = c;
                }
            }
            into[i] = best;
        }
        return k;
    }

    private static boolean taken(int[] into, int filled, int c) {
        for (int i = 0; i < filled; i++) {
            if (into[i] == c) {
                return true;
            }
        }
        return false;
    }
}
