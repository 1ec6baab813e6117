package io.nanofleet.mini;

import io.nanofleet.intents.data.DatasetException;
import io.nanofleet.intents.data.Utterance;
import io.nanofleet.intents.data.UtteranceReader;
import io.nanofleet.intents.eval.Calibration;
import io.nanofleet.intents.eval.CrossValidation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Trains a {@link IntentClassifier}: K-fold cross-validation (stratified by intent, the folds of
 * {@link CrossValidation#folds}) gives every utterance a logit vector from a classifier that did not see
 * it; the temperature and the threshold are fitted on those; then the shipped classifier is trained on
 * all the data.
 */
public final class MiniTierTraining {
    /** The fleet questions bundled with this module (CC0, see FLEET-QUESTIONS-LICENSE.md). */
    public static final String FLEET_QUESTIONS = "/io/nanofleet/mini/fleet-questions.jsonl";

    /**
     * @param maxWrong the threshold is the lowest confidence at which at most this share of the out-of-fold
     *                 fleet answers at or above it (utterances whose predicted intent is a fleet intent) have the
     *                 wrong intent; where the data has no fleet intent, all answers count
     */
    public record Options(SoftmaxClassifier.Options classifier, int folds, long foldSeed, double maxWrong) {
        public Options {
            Objects.requireNonNull(classifier, "classifier");
            if (folds < 2) {
                throw new IllegalArgumentException("folds must be >= 2, got " + folds);
            }
            if (!(maxWrong >= 0 && maxWrong < 1)) {
                throw new IllegalArgumentException("maxWrong must be in [0, 1), got " + maxWrong);
            }
        }

        public static Options defaults() {
            return new Options(SoftmaxClassifier.Options.defaults(), 5, 42, 0.02);
        }

        public Options withClassifier(SoftmaxClassifier.Options c) {
            return new Options(c, folds, foldSeed, maxWrong);
        }

        public Options withFolds(int k) {
            return new Options(classifier, k, foldSeed, maxWrong);
        }
    }

    /**
     * The trained model and what cross-validation saw.
     *
     * @param logits out-of-fold logits of each utterance (before the temperature)
     * @param gold   each utterance's label index in {@code model.labels()}
     * @param fold   each utterance's fold
     */
    public record Result(IntentClassifier model, List<Utterance> data, float[][] logits, int[] gold, int[] fold) {
        /** Out-of-fold calibrated probabilities of utterance {@code i}. */
        public float[] probabilities(int i) {
            return Calibration.softmax(logits[i], model.temperature());
        }

        /** Out-of-fold top-1 label index of utterance {@code i}. */
        public int predicted(int i) {
            return argmax(logits[i]);
        }

        /** Out-of-fold top-1 accuracy over the utterances for which {@code include} holds. */
        public double accuracy(java.util.function.IntPredicate include) {
            int n = 0, right = 0;
            for (int i = 0; i < gold.length; i++) {
                if (include.test(i)) {
                    n++;
                    right += predicted(i) == gold[i] ? 1 : 0;
                }
            }
            return n == 0 ? Double.NaN : (double) right / n;
        }
    }

    private MiniTierTraining() {
    }

    /** The bundled fleet questions. */
    public static List<Utterance> fleetQuestions() {
        try (InputStream in = MiniTierTraining.class.getResourceAsStream(FLEET_QUESTIONS)) {
            if (in == null) {
                throw new IllegalStateException(FLEET_QUESTIONS + " is not on the class path");
            }
            return UtteranceReader.read(in, "fleet-questions.jsonl", true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (DatasetException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * @param embeddings one embedding per utterance ({@link Embedder#embedAll}, or an {@link EmbeddingCache})
     */
    public static Result train(List<Utterance> data, float[][] embeddings, Options o, Consumer<String> progress) {
        if (data.size() != embeddings.length) {
            throw new IllegalArgumentException(data.size() + " utterances but " + embeddings.length + " embeddings");
        }
        Map<String, String> scenarioOf = new TreeMap<>();
        for (Utterance u : data) {
            String before = scenarioOf.putIfAbsent(u.intent(), u.scenario());
            if (before != null && !before.equals(u.scenario())) {
                throw new IllegalArgumentException("intent " + u.intent() + " appears in scenarios " + before + " and " + u.scenario());
            }
        }
        List<String> labels = new ArrayList<>(scenarioOf.keySet());
        Map<String, Integer> index = new LinkedHashMap<>();
        for (String l : labels) {
            index.put(l, index.size());
        }
        int[] gold = data.stream().mapToInt(u -> index.get(u.intent())).toArray();
        int[] fold = CrossValidation.folds(data, o.folds(), o.foldSeed());
        float[][] logits = new float[data.size()][];
        for (int f = 0; f < o.folds(); f++) {
            List<Integer> train = new ArrayList<>();
            List<Integer> test = new ArrayList<>();
            for (int i = 0; i < fold.length; i++) {
                (fold[i] == f ? test : train).add(i);
            }
            progress.accept("fold " + (f + 1) + "/" + o.folds() + ": training on " + train.size() + ", scoring " + test.size());
            SoftmaxClassifier c = fit(train, embeddings, gold, labels, o.classifier(), progress);
            for (int i : test) {
                logits[i] = c.logits(embeddings[i]);
            }
        }
        float temperature = Calibration.temperature(logits, gold);
        boolean[] counted = new boolean[labels.size()];
        boolean anyFleet = false;
        for (int k = 0; k < counted.length; k++) {
            counted[k] = FleetIntent.of(labels.get(k)).isPresent();
            anyFleet |= counted[k];
        }
        if (!anyFleet) {
            java.util.Arrays.fill(counted, true);
        }
        float threshold = threshold(logits, gold, temperature, o.maxWrong(), counted);
        progress.accept(String.format(java.util.Locale.ROOT, "temperature %.3f, threshold %.4f; training on all %d", temperature,
                threshold, data.size()));
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            all.add(i);
        }
        SoftmaxClassifier c = fit(all, embeddings, gold, labels, o.classifier(), progress);
        List<String> scenarios = labels.stream().map(scenarioOf::get).toList();
        return new Result(new IntentClassifier(c, scenarios, temperature, threshold), List.copyOf(data), logits, gold, fold);
    }

    private static SoftmaxClassifier fit(List<Integer> rows, float[][] x, int[] gold, List<String> labels,
                                         SoftmaxClassifier.Options o, Consumer<String> progress) {
        float[][] xs = new float[rows.size()][];
        int[] ys = new int[rows.size()];
        for (int k = 0; k < xs.length; k++) {
            xs[k] = x[rows.get(k)];
            ys[k] = gold[rows.get(k)];
        }
        return SoftmaxClassifier.train(xs, ys, labels, o, progress);
    }

    /**
     * The lowest threshold (step 0.0025) at which, of the answers whose predicted label is {@code counted} and whose
     * calibrated confidence reaches it, at most {@code maxWrong} have the wrong intent; 1.0 if none does.
     *
     * <p>The fleet server acts on a confident answer only when it is a fleet intent (everything else goes to the
     * full tier whatever the confidence), so {@link #train} counts the fleet intents' answers.
     */
    public static float threshold(float[][] logits, int[] gold, float temperature, double maxWrong, boolean[] counted) {
        List<float[]> kept = new ArrayList<>();
        for (int i = 0; i < logits.length; i++) {
            float[] p = Calibration.softmax(logits[i], temperature);
            int best = argmax(p);
            if (counted[best]) {
                kept.add(new float[] {p[best], best == gold[i] ? 1 : 0});
            }
        }
        for (int step = 0; step <= 400; step++) {
            float t = step / 400f;
            int n = 0, wrong = 0;
            for (float[] k : kept) {
                if (k[0] >= t) {
                    n++;
                    wrong += k[1] > 0 ? 0 : 1;
                }
            }
            if (n > 0 && wrong <= maxWrong * n) {
                return t;
            }
        }
        return 1f;
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
