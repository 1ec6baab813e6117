package io.nanofleet.intents.model;

import io.nanofleet.intents.data.Utterance;
import io.nanofleet.intents.slots.SlotExtractor;
import io.nanofleet.runtime.Interpreter;
import io.nanofleet.runtime.Model;
import io.nanofleet.runtime.ModelBuilder;
import io.nanofleet.runtime.ModelFormatException;
import io.nanofleet.runtime.Quantizer;
import io.nanofleet.runtime.TextHasher;
import io.nanofleet.runtime.Trainer;
import io.nanofleet.runtime.ir.Node;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Trains a command model: an ensemble of small networks, each reading the text hashed its own way (word,
 * bigram and character n-gram ids -> embedding bag -> ReLU layer -> one logit per intent), trained with
 * softmax cross-entropy over every intent in the data (the out-of-scope intents are what teaches the model
 * where its own scope ends) and quantized to int8 by the runtime's quantizer. The device averages the
 * members' logits. Three members of 2,048 buckets beat one of 6,144 in the same bytes by 10 points of
 * in-scope answers on cross-validation (85.1% against 75.1%, BENCHMARKS.md): a single small net's errors are
 * largely its own hash collisions and initialisation, which the others do not share. The returned model carries the given
 * temperature and threshold; {@link CommandModelTraining} fits both by cross-validation.
 */
public final class IntentTrainer {
    private final TrainOptions options;
    private final Consumer<String> progress;

    public IntentTrainer(TrainOptions options, Consumer<String> progress) {
        this.options = options;
        this.progress = progress;
    }

    /** The label space: every intent of {@code data}, sorted, with its scenario. */
    public static Map<String, String> labels(List<Utterance> data) {
        Map<String, String> m = new TreeMap<>();
        for (Utterance u : data) {
            String prev = m.putIfAbsent(u.intent(), u.scenario());
            if (prev != null && !prev.equals(u.scenario())) {
                throw new IllegalArgumentException("intent '" + u.intent() + "' appears under scenarios '" + prev + "' and '" + u.scenario() + "'");
            }
        }
        return m;
    }

    /**
     * Trains on {@code data} over the label space {@code labels} (from {@link #labels}, so folds share one
     * index space) and returns the int8 model.
     */
    public CommandModel train(List<Utterance> data, Map<String, String> labels, float temperature, float threshold)
            throws ModelFormatException {
        List<String> intents = new ArrayList<>(labels.keySet());
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < intents.size(); i++) {
            index.put(intents.get(i), i);
        }
        int[] y = new int[data.size()];
        for (int i = 0; i < y.length; i++) {
            Integer label = index.get(data.get(i).intent());
            if (label == null) {
                throw new IllegalArgumentException("intent '" + data.get(i).intent() + "' is not in the label space");
            }
            y[i] = label;
        }
        List<Model> members = new ArrayList<>();
        List<TextHasher> hashers = new ArrayList<>();
        for (int m = 0; m < options.members(); m++) {
            TrainOptions mo = options.member(m);
            TextHasher hasher = new TextHasher(mo.count(), mo.vocab(), mo.minN(), mo.maxN());
            members.add(member(mo, hasher, data, y, intents.size()));
            hashers.add(hasher);
        }
        List<String> scenarios = new ArrayList<>();
        intents.forEach(i -> scenarios.add(labels.get(i)));
        List<Utterance> inScope = new ArrayList<>();
        for (Utterance u : data) {
            if (options.localScenarios().contains(u.scenario())) {
                inScope.add(u);
            }
        }
        Map<String, String> slotProps = SlotExtractor.learn(inScope).toProperties();
        return CommandModel.of(Networks.parallel(members, CommandModel.metadata(intents, scenarios,
                new TreeSet<>(options.localScenarios()), temperature, threshold, hashers, slotProps)));
    }

    /** One member: trained in float with a softmax head, deployed int8 without it. */
    private Model member(TrainOptions mo, TextHasher hasher, List<Utterance> data, int[] y, int classes) {
        float[][] x = new float[data.size()][];
        for (int i = 0; i < x.length; i++) {
            x[i] = hasher.hash(data.get(i).text());
        }
        ModelBuilder withSoftmax = new ModelBuilder(mo.seed());
        Model training = withSoftmax.build(withSoftmax.softmax(network(withSoftmax, mo, classes)));
        long t0 = System.nanoTime();
        Trainer.Report r = new Trainer(training, Trainer.Loss.SOFTMAX_CROSS_ENTROPY)
                .learningRate(mo.learningRate()).batchSize(mo.batchSize()).epochs(mo.epochs())
                .seed(mo.seed()).fit(x, y);
        progress.accept(String.format("trained a member (%d buckets, %d-%d-grams) on %d utterances, %d intents, %d epochs in %.1f s (loss %.4f)",
                mo.vocab(), mo.minN(), mo.maxN(), x.length, classes, mo.epochs(), (System.nanoTime() - t0) / 1e9, r.finalLoss()));

        // The device needs logits, not probabilities: int8 softmax output (steps of 1/256) is too coarse
        // to calibrate or average, so the deployed graph stops before the softmax and the predictor applies it in float.
        ModelBuilder logits = new ModelBuilder(mo.seed());
        Model deployed = logits.build(network(logits, mo, classes));
        copyWeights(training, deployed);
        float[][] calibration = java.util.Arrays.copyOf(x, Math.min(x.length, 2000));
        return Quantizer.percentile(99.99).quantize(deployed, calibration).model();
    }

    private static int network(ModelBuilder b, TrainOptions mo, int classes) {
        int ids = b.idsInput(mo.count());
        int e = b.embeddingBag(ids, mo.vocab(), mo.dim());
        int h = b.relu(b.dense(e, mo.hidden()));
        return b.dense(h, classes);
    }

    private static void copyWeights(Model from, Model to) {
        List<Node> src = new ArrayList<>();
        for (Node n : from.graph().nodes()) {
            if (n.weights != null) {
                src.add(n);
            }
        }
        int k = 0;
        for (Node n : to.graph().nodes()) {
            if (n.weights != null) {
                Node s = src.get(k++);
                n.weights = s.weights.clone();
                n.bias = s.bias == null ? null : s.bias.clone();
            }
        }
    }

    /** The averaged raw logits of every utterance (for calibration). */
    public static float[][] logits(CommandModel model, List<Utterance> data) {
        CommandPredictor p = model.predictor();
        float[][] out = new float[data.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = p.logits(data.get(i).text()).clone();
        }
        return out;
    }
}
