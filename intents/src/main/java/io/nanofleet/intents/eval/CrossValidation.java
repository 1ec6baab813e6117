package io.nanofleet.intents.eval;

import io.nanofleet.intents.data.Utterance;
import io.nanofleet.intents.model.CommandModel;
import io.nanofleet.intents.model.IntentTrainer;
import io.nanofleet.intents.model.TrainOptions;
import io.nanofleet.runtime.ModelFormatException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * K-fold cross-validation, stratified by intent: each utterance is scored by the one model that did not
 * train on it. Its out-of-fold logits are what the temperature and the threshold are fitted on.
 */
public final class CrossValidation {
    /** Out-of-fold logits of every utterance, over the label space {@code intents}. */
    public record Result(List<Utterance> data, List<String> intents, Map<String, String> labels, float[][] logits,
                         int[] fold) {
    }

    private CrossValidation() {
    }

    /** Fold of each utterance: intents shuffled apart (seeded), then dealt round-robin. */
    public static int[] folds(List<Utterance> data, int k, long seed) {
        if (k < 2 || k > data.size()) {
            throw new IllegalArgumentException("folds must be between 2 and the number of utterances, got " + k);
        }
        Map<String, List<Integer>> byIntent = new TreeMap<>();
        for (int i = 0; i < data.size(); i++) {
            byIntent.computeIfAbsent(data.get(i).intent(), x -> new ArrayList<>()).add(i);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] fold = new int[data.size()];
        int next = 0;
        for (List<Integer> idx : byIntent.values()) {
            for (int i = idx.size() - 1; i > 0; i--) {
                Collections.swap(idx, i, rnd.nextInt(i + 1));
            }
            for (int i : idx) {
                fold[i] = next++ % k;
            }
        }
        return fold;
    }

    public static Result run(List<Utterance> data, TrainOptions options, int k, Consumer<String> progress)
            throws ModelFormatException {
        Map<String, String> labels = IntentTrainer.labels(data);
        List<String> intents = new ArrayList<>(labels.keySet());
        int[] fold = folds(data, k, options.seed());
        float[][] logits = new float[data.size()][];
        for (int f = 0; f < k; f++) {
            List<Utterance> train = new ArrayList<>();
            List<Utterance> test = new ArrayList<>();
            List<Integer> testIdx = new ArrayList<>();
            for (int i = 0; i < data.size(); i++) {
                if (fold[i] == f) {
                    test.add(data.get(i));
                    testIdx.add(i);
                } else {
                    train.add(data.get(i));
                }
            }
            progress.accept("fold " + (f + 1) + "/" + k + ": training on " + train.size() + ", scoring " + test.size());
            CommandModel m = new IntentTrainer(options, progress).train(train, labels, 1f, 0.5f);
            float[][] z = IntentTrainer.logits(m, test);
            for (int i = 0; i < z.length; i++) {
                logits[testIdx.get(i)] = z[i];
            }
        }
        return new Result(data, intents, labels, logits, fold);
    }

    /** Gold label index of each utterance in {@code r.intents()}. */
    public static int[] gold(Result r) {
        Map<String, Integer> index = new TreeMap<>();
        for (int i = 0; i < r.intents().size(); i++) {
            index.put(r.intents().get(i), i);
        }
        int[] g = new int[r.data().size()];
        for (int i = 0; i < g.length; i++) {
            g[i] = index.getOrDefault(r.data().get(i).intent(), -1);
        }
        return g;
    }

    /** Outcomes of the out-of-fold predictions at a temperature and threshold. */
    public static List<Outcome> outcomes(Result r, java.util.Set<String> localScenarios, float temperature, float threshold) {
        List<Outcome> out = new ArrayList<>();
        for (int i = 0; i < r.logits().length; i++) {
            float[] p = Calibration.softmax(r.logits()[i], temperature);
            int best = 0;
            for (int c = 1; c < p.length; c++) {
                if (p[c] > p[best]) {
                    best = c;
                }
            }
            String predicted = r.intents().get(best);
            boolean local = localScenarios.contains(r.labels().get(predicted)) && p[best] >= threshold;
            Utterance u = r.data().get(i);
            out.add(new Outcome(u.scenario(), u.intent(), localScenarios.contains(u.scenario()), predicted, p[best], local));
        }
        return out;
    }

    /**
     * The lowest threshold (step 0.0025) at which at least {@code minOffload} of out-of-scope utterances are
     * offloaded and at most {@code maxWrongLocal} of local answers are wrong; 1.0 (never local) if none is.
     */
    public static float threshold(Result r, java.util.Set<String> localScenarios, float temperature,
                                  double minOffload, double maxWrongLocal) {
        for (int step = 0; step <= 400; step++) {
            float t = step / 400f;
            Scores s = Scores.of(outcomes(r, localScenarios, temperature, t));
            boolean offloadOk = Double.isNaN(s.oosOffloaded()) || s.oosOffloaded() >= minOffload;
            boolean wrongOk = Double.isNaN(s.wrongLocal()) || s.wrongLocal() <= maxWrongLocal;
            if (offloadOk && wrongOk) {
                return t;
            }
        }
        return 1f;
    }
}
