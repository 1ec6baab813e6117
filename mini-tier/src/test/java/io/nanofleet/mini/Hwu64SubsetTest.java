package io.nanofleet.mini;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.intents.data.Utterance;
import io.nanofleet.intents.data.UtteranceReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A small slice of HWU64 (12 utterances of each of its 64 intents) plus the fleet questions, 3-fold
 * cross-validated: a quick check that the classifier learns the public intents beside the fleet's. The full
 * 5-fold figures come from {@code MiniTierReport} (BENCHMARKS.md). Skipped without shared/data.
 */
class Hwu64SubsetTest {
    @Test
    void learnsHwu64AndFleetIntentsTogether() throws Exception {
        List<Utterance> hwu = UtteranceReader.read(TestData.require("hwu64/train.jsonl"));
        Map<String, Integer> taken = new HashMap<>();
        List<Utterance> data = new ArrayList<>();
        for (Utterance u : hwu) {
            if (taken.merge(u.intent(), 1, Integer::sum) <= 12) {
                data.add(u);
            }
        }
        int publicCount = data.size();
        data.addAll(MiniTierTraining.fleetQuestions());
        float[][] x;
        try (Embedder e = Embedder.create()) {
            x = e.embedAll(data.stream().map(Utterance::text).toList());
        }
        MiniTierTraining.Result r = MiniTierTraining.train(data, x, MiniTierTraining.Options.defaults().withFolds(3), s -> { });
        double hwuAcc = r.accuracy(i -> i < publicCount);
        double fleetAcc = r.accuracy(i -> i >= publicCount);
        // 8 training utterances per public intent: far below the full set's accuracy, far above chance (1/69).
        assertTrue(hwuAcc >= 0.55, "hwu64 subset " + hwuAcc);
        assertTrue(fleetAcc >= 0.9, "fleet " + fleetAcc);
    }
}
