package io.nanofleet.anomaly.detect;

/**
 * The per-sample anomaly detector that runs on the device. Each {@link #update} does O(channels x model size)
 * work and allocates nothing:
 * <ol>
 *   <li>scale: z = (x - mean) / std - baseline, with mean/std from {@link Calibration};</li>
 *   <li>smooth: trailing mean of z over {@code window} samples (no look-ahead; a step reaches full size after
 *       {@code window} samples, i.e. a mean delay of (window - 1) / 2 samples);</li>
 *   <li>model: reconstruct the smoothed vector; residual per channel, divided by its calibration RMS;</li>
 *   <li>score = sum of squared residuals; anomalous above the threshold, and (hysteresis) until the score falls
 *       below threshold x releaseRatio;</li>
 *   <li>baseline: each channel's baseline follows slow drift with time constant {@code baselineTau}, but is
 *       frozen while that channel's residual is at least {@code freezeZ}, so a sustained fault is not learnt away.</li>
 * </ol>
 * Not thread-safe: one detector per sensor stream.
 */
public final class StreamingDetector {
    private final int n;
    private final Reconstructor model;
    private final float[] mean;
    private final float[] std;
    private final float[] residualScale;
    private final double threshold;
    private final double release;
    private final float alpha;
    private final float freezeZ;
    private final TrailingMean smoother;
    private final float[] baseline;
    private final float[] z;
    private final float[] smoothed;
    private final float[] recon;
    private final DetectionResult result;
    private boolean active;

    public StreamingDetector(Reconstructor model, Calibration calibration, DetectorConfig config) {
        if (model.size() != calibration.channels()) {
            throw new IllegalArgumentException("model has " + model.size() + " channels, calibration " + calibration.channels());
        }
        this.n = calibration.channels();
        this.model = model;
        this.mean = calibration.mean();
        this.std = calibration.std();
        this.residualScale = calibration.residualScale();
        this.threshold = calibration.threshold();
        this.release = calibration.threshold() * config.releaseRatio();
        this.alpha = (float) (1.0 / config.baselineTau());
        this.freezeZ = (float) config.freezeZ();
        this.smoother = new TrailingMean(n, config.window());
        this.baseline = new float[n];
        this.z = new float[n];
        this.smoothed = new float[n];
        this.recon = new float[n];
        this.result = new DetectionResult(n);
    }

    /**
     * Feeds one sample (one value per channel, same order as calibration) and returns the reused result.
     * Non-finite values are rejected before any state changes.
     */
    public DetectionResult update(float[] sample) {
        if (sample.length != n) {
            throw new IllegalArgumentException("sample has " + sample.length + " channels, expected " + n);
        }
        for (int c = 0; c < n; c++) {
            if (!Float.isFinite(sample[c])) {
                throw new IllegalArgumentException("channel " + c + " is not finite: " + sample[c]);
            }
        }
        for (int c = 0; c < n; c++) {
            z[c] = (sample[c] - mean[c]) / std[c];
        }
        for (int c = 0; c < n; c++) {
            z[c] -= baseline[c];
        }
        smoother.push(z, smoothed);
        model.reconstruct(smoothed, recon);
        double score = 0;
        int top = 0;
        float[] contrib = result.contributions;
        for (int c = 0; c < n; c++) {
            float e = (smoothed[c] - recon[c]) / residualScale[c];
            float e2 = e * e;
            contrib[c] = e2;
            score += e2;
            if (e2 > contrib[top]) {
                top = c;
            }
            if (Math.abs(e) < freezeZ) {
                // Follow slow drift of this channel; z already has the baseline removed, so this is an EMA of raw z.
                baseline[c] += alpha * z[c];
            }
        }
        active = active ? score > release : score > threshold;
        result.score = score;
        result.anomalous = active;
        result.topChannel = top;
        return result;
    }

    /**
     * Pushes a calibration-time sample into the smoothing window only (no score, no baseline change), so that
     * the first scored sample already has a full window behind it.
     */
    public void warmUp(float[] sample) {
        if (sample.length != n) {
            throw new IllegalArgumentException("sample has " + sample.length + " channels, expected " + n);
        }
        for (int c = 0; c < n; c++) {
            z[c] = (sample[c] - mean[c]) / std[c] - baseline[c];
        }
        smoother.push(z, smoothed);
    }

    public double threshold() {
        return threshold;
    }

    public int channels() {
        return n;
    }
}
