package io.nanofleet.anomaly.detect;

/**
 * Per-channel mean of the last {@code window} vectors, O(channels) per push and no allocation. Running sums are
 * doubles, so the drift of incremental add/subtract stays far below float resolution over days of samples.
 */
final class TrailingMean {
    private final int n;
    private final int window;
    private final float[] ring;
    private final double[] sum;
    private int pos;
    private int count;

    TrailingMean(int channels, int window) {
        this.n = channels;
        this.window = window;
        this.ring = new float[channels * window];
        this.sum = new double[channels];
    }

    /** Adds {@code x} and writes the mean of the last min(count, window) vectors into {@code mean}. */
    void push(float[] x, float[] mean) {
        int off = pos * n;
        for (int c = 0; c < n; c++) {
            sum[c] += x[c] - (count == window ? ring[off + c] : 0f);
            ring[off + c] = x[c];
        }
        pos = pos + 1 == window ? 0 : pos + 1;
        if (count < window) {
            count++;
        }
        for (int c = 0; c < n; c++) {
            mean[c] = (float) (sum[c] / count);
        }
    }

    /** True once {@code window} vectors have been pushed. */
    boolean full() {
        return count == window;
    }
}
