package io.nanofleet.agent.pipeline;

import io.nanofleet.anomaly.detect.Calibration;
import io.nanofleet.anomaly.detect.Calibrator;
import io.nanofleet.anomaly.detect.DetectionResult;
import io.nanofleet.anomaly.detect.DetectorConfig;
import io.nanofleet.anomaly.detect.Reconstructor;
import io.nanofleet.anomaly.detect.StreamingDetector;
import io.nanofleet.anomaly.model.AutoencoderTrainer;
import io.nanofleet.anomaly.model.Models;
import io.nanofleet.anomaly.model.RuntimeReconstructor;
import io.nanofleet.anomaly.model.StrictProvider;
import io.nanofleet.protocols.v1.AnomalyEvent;
import io.nanofleet.protocols.v1.ChannelContribution;
import io.nanofleet.runtime.Model;
import io.nanofleet.runtime.ModelFile;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Samples -> anomaly detector -> anomaly events. Calibrates on the first {@code calibrationRows} samples
 * (assumed normal: the machine's first minutes after install or after a {@link #recalibrate}), then scores
 * every sample. When the detector turns anomalous an event is built from {@code context} raw rows before the
 * trigger and {@code context} rows after it, with per-channel contributions summed over the anomalous samples
 * of that window; one event per episode (an episode ends after {@code context} normal samples in a row), and
 * for an episode that goes on, a reminder event every {@code 8 x context} samples, so a fault that starts
 * during a long excursion is still reported with its own window, while a stuck alarm costs at most one event
 * per 256 samples at the default context.
 *
 * <p>The model is either a fleet model (set with {@link #useModel}) or, by default, trained on the device
 * from the calibration rows (the anomaly module's strict protocol). Not thread-safe: one sampling thread.
 */
public final class EdgePipeline {
    /** Pipeline phases, as reported in state. */
    public enum Phase { CALIBRATING, SCORING, DISABLED }

    private final List<String> channels;
    private final int n;
    private final int context;
    private volatile Consumer<AnomalyEvent> events;
    private long scored;
    private DetectorConfig config;
    private Model fleetModel;
    private String modelSha = "";
    private float[][] calibration;
    private int calibrated;
    private StreamingDetector detector;
    private Phase phase;
    private String disabledReason = "";
    private final float[] sample;
    private final float[][] ring;
    private final long[] ringTimes;
    private long seen;
    // Current episode.
    private boolean inEpisode;
    private long triggerAt = -1;
    private int normalRun;
    private final double[] sums;
    private double peak;
    private float[] window;
    private int windowRows;
    private long windowStartMs;
    private long eventsEmitted;
    private long anomalousSamples;
    /** Moving average of one detector update in microseconds (the fleet's rollout gate compares it). */
    private volatile double inferenceMicros = Double.NaN;

    public EdgePipeline(List<String> channels, DetectorConfig config, int context, Consumer<AnomalyEvent> events) {
        this.channels = List.copyOf(channels);
        this.n = channels.size();
        this.config = config;
        this.context = context;
        this.events = events;
        this.sample = new float[n];
        this.ring = new float[context][n];
        this.ringTimes = new long[context];
        this.sums = new double[n];
        if (n < 2) {
            phase = Phase.DISABLED;
            disabledReason = "the detector needs at least 2 channels, this sensor has " + n;
        } else {
            recalibrate();
        }
    }

    /** Uses a fleet model from now on (after a fresh calibration); null goes back to on-device training. */
    public void useModel(Model model, String sha256) {
        if (model != null && model.inputSize() != n) {
            throw new IllegalArgumentException("model expects " + model.inputSize() + " channels, this sensor has " + n);
        }
        this.fleetModel = model;
        this.modelSha = sha256 == null ? "" : sha256;
        recalibrate();
    }

    /** Changes the threshold factor (takes effect at the next calibration). */
    public void thresholdFactor(double factor) {
        this.config = config.withThresholdFactor(factor);
    }

    /** Forgets the calibration; the next {@code calibrationRows} samples calibrate again. */
    public void recalibrate() {
        if (phase == Phase.DISABLED && n < 2) {
            return;
        }
        calibration = new float[config.calibrationRows()][];
        calibrated = 0;
        detector = null;
        inEpisode = false;
        phase = Phase.CALIBRATING;
    }

    public void accept(long timestampMs, double[] values) {
        for (int c = 0; c < n; c++) {
            sample[c] = (float) values[c];
        }
        if (phase == Phase.CALIBRATING) {
            calibration[calibrated++] = sample.clone();
            if (calibrated == calibration.length) {
                finishCalibration();
            }
        } else if (phase == Phase.SCORING) {
            score(timestampMs);
        }
        System.arraycopy(sample, 0, ring[(int) (seen % context)], 0, n);
        ringTimes[(int) (seen % context)] = timestampMs;
        seen++;
    }

    private void finishCalibration() {
        Calibrator calibrator = new Calibrator(config);
        Calibrator.Prepared prep = calibrator.prepare(calibration);
        Reconstructor model;
        Calibration cal;
        if (fleetModel != null) {
            model = new RuntimeReconstructor(fleetModel);
            cal = calibrator.calibrate(prep, model);
        } else {
            int k = Math.max(1, Math.min(Models.STRICT_COMPONENTS, n / 2));
            AutoencoderTrainer trainer = new AutoencoderTrainer(k, Models.SEED, Models.EPOCHS, true);
            StrictProvider provider = new StrictProvider(trainer);
            var pair = provider.modelsFor(prep);
            cal = provider.calibrate(calibrator, prep, pair, true);
            model = pair.int8();
            modelSha = ModelFile.sha256Hex(ModelFile.toBytes(pair.int8Model()));
        }
        detector = new StreamingDetector(model, cal, config);
        for (int r = calibration.length - config.window(); r < calibration.length; r++) {
            detector.warmUp(calibration[r]);
        }
        calibration = null;
        scored = 0;
        anomalousSamples = 0;
        phase = Phase.SCORING;
    }

    private void score(long timestampMs) {
        scored++;
        DetectionResult r;
        long t0 = System.nanoTime();
        try {
            r = detector.update(sample);
        } catch (IllegalArgumentException e) {
            return; // non-finite sample: the detector rejected it before changing state
        }
        double us = (System.nanoTime() - t0) / 1000.0;
        double avg = inferenceMicros;
        // About the last 100 samples; the first one seeds it.
        inferenceMicros = Double.isNaN(avg) ? us : avg + (us - avg) * 0.01;
        if (r.anomalous()) {
            anomalousSamples++;
            normalRun = 0;
            if (!inEpisode || (window == null && seen - triggerAt >= 8L * context)) {
                startEvent(timestampMs);
            }
            peak = Math.max(peak, r.score());
            if (window != null) {
                for (int c = 0; c < n; c++) {
                    sums[c] += r.contribution(c);
                }
            }
        } else if (inEpisode && ++normalRun >= context && window == null) {
            inEpisode = false;
        }
        if (window != null) {
            System.arraycopy(sample, 0, window, windowRows * n, n);
            windowRows++;
            if (windowRows == 2 * context || (!r.anomalous() && normalRun >= context)) {
                emit(r);
            }
        }
    }

    private void startEvent(long timestampMs) {
        inEpisode = true;
        triggerAt = seen;
        peak = 0;
        java.util.Arrays.fill(sums, 0);
        int pre = (int) Math.min(context, seen);
        window = new float[(pre + context) * n];
        windowRows = 0;
        for (int i = pre; i > 0; i--) {
            System.arraycopy(ring[(int) ((seen - i) % context)], 0, window, windowRows * n, n);
            windowRows++;
        }
        windowStartMs = pre > 0 ? ringTimes[(int) ((seen - pre) % context)] : timestampMs;
    }

    private void emit(DetectionResult last) {
        List<ChannelContribution> contributions = new ArrayList<>(n);
        for (int c = 0; c < n; c++) {
            contributions.add(ChannelContribution.newBuilder().setChannel(channels.get(c)).setContribution(sums[c]).build());
        }
        contributions.sort((a, b) -> Double.compare(b.getContribution(), a.getContribution()));
        AnomalyEvent.Builder e = AnomalyEvent.newBuilder().setScore(peak).setThreshold(detector.threshold())
                .addAllChannels(channels).addAllContributions(contributions).setWindowStartMs(windowStartMs)
                .setWindowLength(windowRows).setModelSha256(modelSha);
        for (int i = 0; i < windowRows * n; i++) {
            e.addWindow(window[i]);
        }
        window = null;
        eventsEmitted++;
        events.accept(e.build());
    }

    /** Where events go from now on (a shadow pipeline discards them until it is promoted). */
    public void events(Consumer<AnomalyEvent> sink) {
        this.events = sink;
    }

    /** Samples scored since the last calibration finished. */
    public long scoredSamples() {
        return scored;
    }

    public Phase phase() {
        return phase;
    }

    public String disabledReason() {
        return disabledReason;
    }

    public int calibrationProgress() {
        return calibrated;
    }

    public long eventsEmitted() {
        return eventsEmitted;
    }

    public long anomalousSamples() {
        return anomalousSamples;
    }

    public double threshold() {
        return detector == null ? Double.NaN : detector.threshold();
    }

    /** Recent mean duration of one detector update, in microseconds; NaN before the first scored sample. */
    public double inferenceMicros() {
        return inferenceMicros;
    }

    public String modelSha256() {
        return modelSha;
    }

    /** The sample index at which the last event was triggered (-1 before any). */
    public long lastTrigger() {
        return triggerAt;
    }
}
