package io.nanofleet.intents.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.intents.data.Annotations;
import io.nanofleet.intents.data.Utterance;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScoresTest {
    @Test
    void figuresFollowTheirDefinitions() {
        List<Outcome> o = List.of(
                new Outcome("iot", "iot_a", true, "iot_a", 0.9f, true),     // in scope, local, right
                new Outcome("iot", "iot_a", true, "iot_b", 0.8f, true),     // in scope, local, wrong
                new Outcome("iot", "iot_b", true, "iot_b", 0.4f, false),    // in scope, offloaded (right intent, but not local)
                new Outcome("iot", "iot_b", true, "iot_b", 0.95f, true),    // in scope, local, right
                new Outcome("music", "play_music", false, "iot_a", 0.9f, true),      // out of scope answered locally
                new Outcome("music", "play_music", false, "play_music", 0.9f, false),
                new Outcome("news", "news_query", false, "iot_a", 0.3f, false),
                new Outcome("news", "news_query", false, "news_query", 0.9f, false));
        Scores s = Scores.of(o);
        assertEquals(8, s.n());
        assertEquals(4, s.inScope());
        assertEquals(2 / 4.0, s.localCorrect(), 1e-9);
        assertEquals(3 / 4.0, s.oosOffloaded(), 1e-9);
        assertEquals(2 / 4.0, s.wrongLocal(), 1e-9, "one wrong intent and one out-of-scope answer among 4 local answers");
        assertEquals(5 / 8.0, s.intentAccuracy(), 1e-9);
        assertTrue(s.fields().startsWith("n=8 in_scope=4 local_correct=0.5000 oos_offloaded=0.7500 wrong_local=0.5000 intent_acc=0.6250"), s.fields());
        assertTrue(Scores.table(o).contains("music"), Scores.table(o));
    }

    @Test
    void temperatureScalingFindsTheTemperatureThatFitsTheData() {
        // logits twice too confident: the right temperature is about 2
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        int n = 4000;
        float[][] z = new float[n][];
        int[] gold = new int[n];
        for (int i = 0; i < n; i++) {
            // true probabilities softmax(u), observed logits 2u
            float[] u = {(float) r.nextGaussian(), (float) r.nextGaussian(), (float) r.nextGaussian()};
            float[] p = Calibration.softmax(u, 1f);
            double x = r.nextDouble();
            gold[i] = x < p[0] ? 0 : x < p[0] + p[1] ? 1 : 2;
            z[i] = new float[]{2 * u[0], 2 * u[1], 2 * u[2]};
        }
        float t = Calibration.temperature(z, gold);
        assertEquals(2.0, t, 0.35);
    }

    @Test
    void slotF1CountsExactMatchesOnTheDevicesTypes() {
        SlotScores s = new SlotScores();
        Utterance u = new Utterance("dim the kitchen lights to fifty percent", "iot", "iot_hue_lightdim",
                Annotations.parse("dim the [house_place : kitchen] lights [change_amount : to fifty percent]"));
        s.add(u, Map.of("house_place", "kitchen", "percentage", "fifty percent", "device_type", "lights"));
        // tp: kitchen, fifty percent; fp: lights (not annotated); fn: none -> F1 = 4 / 5
        assertEquals(0.8, s.f1(), 1e-9);
    }
}
