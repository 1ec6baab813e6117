package io.nanofleet.anomaly.model;

import io.nanofleet.anomaly.detect.Calibrator;
import io.nanofleet.anomaly.detect.DetectorConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns long normal recordings (e.g. SKAB's anomaly-free run, or data collected from devices) into what a
 * fleet base model should learn: the vectors a device sees <em>after</em> it calibrated on its first rows. Each
 * segment is calibrated on its own first {@code calibrationRows} rows and contributes the smoothed, scaled
 * vectors of the next {@link #HORIZON} rows, so the model learns the drift that normal machines show after
 * calibration instead of flagging it.
 */
public final class FleetTrainingSet {
    /** Rows after calibration each segment contributes: about one SKAB test period. */
    public static final int HORIZON = 700;
    /** Segment start spacing; segments overlap so that a short run still yields several of them. */
    public static final int STEP = 200;

    private FleetTrainingSet() {
    }

    public static float[][] vectors(List<float[][]> recordings, DetectorConfig config) {
        Calibrator calibrator = new Calibrator(config);
        int m = config.calibrationRows();
        int w = config.window();
        List<float[]> out = new ArrayList<>();
        for (float[][] rows : recordings) {
            for (int s0 = 0; s0 + m + HORIZON <= rows.length; s0 += STEP) {
                float[][] seg = new float[m + HORIZON][];
                System.arraycopy(rows, s0, seg, 0, seg.length);
                Calibrator.Prepared p = calibrator.prepare(seg);
                float[][] v = Calibrator.smoothed(seg, m - w + 1, seg.length, p.mean(), p.std(), w);
                out.addAll(List.of(v));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("normal data too short: need at least " + (m + HORIZON) + " rows in one recording");
        }
        return out.toArray(new float[0][]);
    }
}
