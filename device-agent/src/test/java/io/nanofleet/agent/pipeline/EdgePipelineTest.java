package io.nanofleet.agent.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.anomaly.detect.DetectorConfig;
import io.nanofleet.protocols.v1.AnomalyEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EdgePipelineTest {
    private static final List<String> CHANNELS = List.of("a", "b", "c", "d", "e", "f");

    /** Correlated normal signal: every channel follows one latent factor plus small noise. */
    private static double[] normal(SplittableRandom r, long t) {
        double f = Math.sin(t / 30.0) + 0.2 * r.nextGaussian();
        double[] x = new double[CHANNELS.size()];
        for (int c = 0; c < x.length; c++) {
            x[c] = 10 + c + (c + 1) * f + 0.05 * r.nextGaussian();
        }
        return x;
    }

    @Test
    void calibratesThenReportsAStepWithItsWindowAndTheGuiltyChannelFirst() {
        List<AnomalyEvent> events = new ArrayList<>();
        DetectorConfig cfg = DetectorConfig.DEFAULT;
        EdgePipeline p = new EdgePipeline(CHANNELS, cfg, 16, events::add);
        SplittableRandom r = new SplittableRandom(7);
        long t = 0;
        for (; t < 400; t++) {
            assertEquals(EdgePipeline.Phase.CALIBRATING, p.phase());
            p.accept(t * 1000, normal(r, t));
        }
        assertEquals(EdgePipeline.Phase.SCORING, p.phase());
        assertFalse(p.modelSha256().isEmpty());
        for (; t < 700; t++) {
            p.accept(t * 1000, normal(r, t));
        }
        int falseAlarms = events.size();
        for (; t < 760; t++) {
            double[] x = normal(r, t);
            x[3] += 8; // channel "d" breaks away from the others
            p.accept(t * 1000, x);
        }
        assertTrue(events.size() > falseAlarms, "the step produced an event");
        AnomalyEvent e = events.get(falseAlarms);
        assertEquals("d", e.getContributions(0).getChannel(), e.getContributionsList().toString());
        assertEquals(32, e.getWindowLength());
        assertEquals(32 * CHANNELS.size(), e.getWindowCount());
        assertTrue(e.getScore() > e.getThreshold());
        assertTrue(e.getWindowStartMs() < 700_000 + 16_000, "window starts before the trigger");
        // One event per episode: a sustained fault does not flood the uplink.
        assertEquals(falseAlarms + 1, events.size());
    }

    @Test
    void recalibrateStartsOver() {
        EdgePipeline p = new EdgePipeline(CHANNELS, DetectorConfig.DEFAULT, 8, e -> {});
        SplittableRandom r = new SplittableRandom(1);
        for (int t = 0; t < 400; t++) {
            p.accept(t, normal(r, t));
        }
        assertEquals(EdgePipeline.Phase.SCORING, p.phase());
        p.recalibrate();
        assertEquals(EdgePipeline.Phase.CALIBRATING, p.phase());
        assertEquals(0, p.calibrationProgress());
    }

    @Test
    void oneChannelIsReportedAsDisabledNotSilentlyIgnored() {
        EdgePipeline p = new EdgePipeline(List.of("temp"), DetectorConfig.DEFAULT, 8, e -> {});
        assertEquals(EdgePipeline.Phase.DISABLED, p.phase());
        assertTrue(p.disabledReason().contains("at least 2 channels"));
        p.accept(0, new double[] {1});
    }
}
