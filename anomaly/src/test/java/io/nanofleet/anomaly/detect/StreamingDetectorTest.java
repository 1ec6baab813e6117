package io.nanofleet.anomaly.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class StreamingDetectorTest {
    static final int N = 8;
    final DetectorConfig config = DetectorConfig.DEFAULT;

    private StreamingDetector detector(float[][] rows) {
        Calibrator cal = new Calibrator(config);
        Calibrator.Prepared p = cal.prepare(rows);
        Reconstructor model = LinearReconstructor.fit(p.vectors(), 2);
        StreamingDetector d = new StreamingDetector(model, cal.calibrate(p, model), config);
        for (int r = config.calibrationRows() - config.window() + 1; r < config.calibrationRows(); r++) {
            d.warmUp(rows[r]);
        }
        return d;
    }

    @Test
    void stepInOneChannelIsFlaggedWithinTheWindowAndExplained() {
        float[][] rows = Synthetic.normal(2000, N, 1);
        StreamingDetector d = detector(rows);
        int falseAlarms = 0;
        for (int r = 400; r < 1000; r++) {
            falseAlarms += d.update(rows[r]).anomalous() ? 1 : 0;
        }
        assertTrue(falseAlarms < 30, "false alarms on pure noise: " + falseAlarms);
        // Channel 5 drops by 3 of its standard deviations and stays there for 400 samples.
        int firstAlarm = -1;
        int alarmed = 0;
        DetectionResult res = null;
        for (int r = 1000; r < 1400; r++) {
            float[] x = rows[r].clone();
            x[5] -= 3 * 0.5f * 6;
            res = d.update(x);
            if (res.anomalous()) {
                alarmed++;
                if (firstAlarm < 0) {
                    firstAlarm = r - 1000;
                }
            }
        }
        assertTrue(firstAlarm >= 0 && firstAlarm < config.window(), "first alarm after " + firstAlarm + " samples");
        assertTrue(alarmed > 390, "a sustained fault must not be learnt away by the baseline: alarmed " + alarmed + "/400");
        assertEquals(5, res.topChannel());
        int[] top = new int[3];
        assertEquals(3, res.topChannels(top));
        assertEquals(5, top[0]);
        assertTrue(res.contribution(top[0]) >= res.contribution(top[1]) && res.contribution(top[1]) >= res.contribution(top[2]));
        float sum = 0;
        for (int c = 0; c < N; c++) {
            sum += res.contribution(c);
        }
        assertEquals(res.score(), sum, 1e-3 * res.score());
        // The fault ends: the detector releases.
        boolean releasedWithin = false;
        for (int r = 1400; r < 1400 + 3 * config.window(); r++) {
            releasedWithin |= !d.update(rows[r]).anomalous();
        }
        assertTrue(releasedWithin, "alarm must clear after the fault ends");
    }

    @Test
    void slowDriftIsFollowedNotFlagged() {
        float[][] rows = Synthetic.normal(2400, N, 2);
        StreamingDetector d = detector(rows);
        int alarms = 0;
        for (int r = 400; r < 2400; r++) {
            float[] x = rows[r].clone();
            // Channel 2 (std 1.5) drifts by 4 std over 2000 samples: a slow thermal drift.
            x[2] += 1.5f * 4 * (r - 400) / 2000f;
            alarms += d.update(x).anomalous() ? 1 : 0;
        }
        assertTrue(alarms < 60, "slow drift raised " + alarms + " alarms out of 2000 samples");
    }

    @Test
    void sameResultObjectAndNoAllocationPerUpdate() {
        float[][] rows = Synthetic.normal(1000, N, 3);
        StreamingDetector d = detector(rows);
        DetectionResult first = d.update(rows[400]);
        for (int i = 0; i < 20_000; i++) {
            d.update(rows[400 + i % 600]);
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(id);
        DetectionResult last = null;
        for (int i = 0; i < 100_000; i++) {
            last = d.update(rows[400 + i % 600]);
        }
        long allocated = mx.getThreadAllocatedBytes(id) - before;
        assertSame(first, last);
        // Well under one byte per update: the bean's own bookkeeping may cost a few hundred bytes in total.
        assertTrue(allocated < 10_000, "allocated " + allocated + " bytes over 100000 updates");
    }

    @Test
    void badSamplesAreRejectedWithoutChangingState() {
        float[][] rows = Synthetic.normal(1000, N, 4);
        StreamingDetector a = detector(rows);
        StreamingDetector b = detector(rows);
        float[] bad = rows[500].clone();
        bad[3] = Float.NaN;
        assertThrows(IllegalArgumentException.class, () -> a.update(bad));
        assertThrows(IllegalArgumentException.class, () -> a.update(new float[N - 1]));
        for (int r = 400; r < 700; r++) {
            DetectionResult ra = a.update(rows[r]);
            double sa = ra.score();
            boolean aa = ra.anomalous();
            DetectionResult rb = b.update(rows[r]);
            assertEquals(rb.score(), sa);
            assertEquals(rb.anomalous(), aa);
        }
    }

    @Test
    void aChannelConstantDuringCalibrationStillGivesFiniteScores() {
        float[][] rows = Synthetic.normal(800, N, 8);
        for (float[] r : rows) {
            r[4] = 42f;
        }
        StreamingDetector d = detector(rows);
        for (int r = 400; r < 800; r++) {
            assertTrue(Double.isFinite(d.update(rows[r]).score()));
        }
        float[] moved = rows[500].clone();
        moved[4] = 43f;
        DetectionResult res = null;
        for (int i = 0; i < config.window(); i++) {
            res = d.update(moved);
        }
        assertTrue(res.anomalous() && res.topChannel() == 4, "a stuck-then-moving channel is flagged and named");
    }

    @Test
    void modelAndCalibrationMustAgreeOnChannels() {
        float[][] rows = Synthetic.normal(500, N, 5);
        Calibrator cal = new Calibrator(config);
        Calibrator.Prepared p = cal.prepare(rows);
        Calibration c = cal.calibrate(p, LinearReconstructor.fit(p.vectors(), 1));
        Reconstructor wrong = LinearReconstructor.fit(Synthetic.normal(50, 4, 1), 1);
        assertThrows(IllegalArgumentException.class, () -> new StreamingDetector(wrong, c, config));
    }

    @Test
    void calibrationThresholdIsTheQuantileTimesTheFactor() {
        float[][] rows = Synthetic.normal(500, N, 6);
        Calibrator one = new Calibrator(config.withThresholdFactor(1.0));
        Calibrator two = new Calibrator(config.withThresholdFactor(2.5));
        Reconstructor model = LinearReconstructor.fit(one.prepare(rows).vectors(), 2);
        double t1 = one.calibrate(one.prepare(rows), model).threshold();
        double t2 = two.calibrate(two.prepare(rows), model).threshold();
        assertEquals(2.5 * t1, t2, 1e-9 * t2);
        assertThrows(IllegalArgumentException.class, () -> one.prepare(Synthetic.normal(399, N, 1)));
        assertEquals(2.0, Calibrator.quantile(new double[]{3, 1, 2}, 0.5));
        assertEquals(2.5, Calibrator.quantile(new double[]{1, 2, 3, 4}, 0.5));
    }

    @Test
    void boxThresholdMatchesChiSquareQuantiles() {
        assertEquals(2.326348, Calibrator.normalQuantile(0.99), 1e-6);
        assertEquals(-1.644854, Calibrator.normalQuantile(0.05), 1e-6);
        assertEquals(0.0, Calibrator.normalQuantile(0.5), 1e-12);
        assertEquals(-3.719016, Calibrator.normalQuantile(1e-4), 1e-5);
        assertEquals(23.209, Calibrator.chiSquareQuantile(10, 0.99), 0.05);
        assertEquals(15.086, Calibrator.chiSquareQuantile(5, 0.99), 0.1);
        // Scores that are exactly 3 x chi2(4) samples: Box's fit recovers g = 3, h = 4, so q0.99 ~ 3 x 13.277.
        java.util.SplittableRandom r = new java.util.SplittableRandom(9);
        double[] s = new double[200_000];
        for (int i = 0; i < s.length; i++) {
            double sum = 0;
            for (int k = 0; k < 4; k++) {
                double g = Synthetic.gaussian(r);
                sum += g * g;
            }
            s[i] = 3 * sum;
        }
        assertEquals(3 * 13.277, Calibrator.boxQuantile(s, 0.99), 3 * 13.277 * 0.02);
        assertEquals(Calibrator.quantile(new double[]{5, 5, 5}, 0.99), Calibrator.boxQuantile(new double[]{5, 5, 5}, 0.99));
    }

    @Test
    void pcaRecoversTheDominantDirection() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        float[][] v = new float[2000][3];
        for (float[] row : v) {
            double t = Synthetic.gaussian(r) * 5;
            row[0] = (float) (t + 0.01 * Synthetic.gaussian(r));
            row[1] = (float) (t + 0.01 * Synthetic.gaussian(r));
            row[2] = (float) (0.01 * Synthetic.gaussian(r));
        }
        LinearReconstructor pca = LinearReconstructor.fit(v, 1);
        float[] comp = pca.componentMatrix();
        assertEquals(Math.sqrt(0.5), comp[0], 1e-2);
        assertEquals(Math.sqrt(0.5), comp[1], 1e-2);
        assertEquals(0.0, comp[2], 1e-2);
        LinearReconstructor full = LinearReconstructor.fit(v, 3);
        float[] out = new float[3];
        full.reconstruct(v[7], out);
        assertArrayEquals(v[7], out, 1e-4f);
    }
}
