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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Trains a command model: hashed word, bigram and character n-gram ids -> embedding bag -> ReLU layer ->
 * one logit per intent, trained with softmax cross-entropy over every intent in the data (the out-of-scope
 * intents are what teaches the model where its own scope ends), then quantized to int8 by the runtime's
 * quantizer. The returned model has temperature 1 and the given threshold; {@link CommandModelBuilder}
 * sets both from cross-validation.
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
        TextHasher hasher = new TextHasher(options.count(), options.vocab(), options.minN(), options.maxN());
        int copies = 1 + options.augment();
        float[][] x = new float[data.size() * copies][];
        int[] y = new int[x.length];
        java.util.SplittableRandom drop = new java.util.SplittableRandom(options.seed() ^ 0x5DEECE66DL);
        for (int i = 0; i < data.size(); i++) {
            Integer label = index.get(data.get(i).intent());
            if (label == null) {
                throw new IllegalArgumentException("intent '" + data.get(i).intent() + "' is not in the label space");
            }
            for (int c = 0; c < copies; c++) {
                String text = c == 0 ? data.get(i).text() : dropWords(data.get(i).text(), drop);
                x[i * copies + c] = hasher.hash(text);
                y[i * copies + c] = label;
            }
        }
        ModelBuilder withSoftmax = new ModelBuilder(options.seed());
        int out = network(withSoftmax, intents.size());
        Model training = withSoftmax.build(withSoftmax.softmax(out));
        long t0 = System.nanoTime();
        Trainer.Report r = new Trainer(training, Trainer.Loss.SOFTMAX_CROSS_ENTROPY)
                .learningRate(options.learningRate()).batchSize(options.batchSize()).epochs(options.epochs())
                .seed(options.seed()).fit(x, y);
        progress.accept(String.format("trained %d utterances, %d intents, %d epochs in %.1f s (loss %.4f)",
                x.length, intents.size(), options.epochs(), (System.nanoTime() - t0) / 1e9, r.finalLoss()));

        // The device needs logits, not probabilities: int8 softmax output (steps of 1/256) is too coarse
        // to calibrate, so the deployed graph stops before the softmax and the predictor applies it in float.
        ModelBuilder logits = new ModelBuilder(options.seed());
        Model deployed = logits.build(network(logits, intents.size()));
        copyWeights(training, deployed);

        List<String> scenarios = new ArrayList<>();
        intents.forEach(i -> scenarios.add(labels.get(i)));
        List<Utterance> inScope = new ArrayList<>();
        for (Utterance u : data) {
            if (options.localScenarios().contains(u.scenario())) {
                inScope.add(u);
            }
        }
        Map<String, String> slotProps = SlotExtractor.learn(inScope).toProperties();
        deployed = deployed.withMetadata(CommandModel.metadata(intents, scenarios, new TreeSet<>(options.localScenarios()),
                temperature, threshold, hasher, slotProps));
        float[][] calibration = new float[Math.min(data.size(), 2000)][];
        for (int i = 0; i < calibration.length; i++) {
            calibration[i] = x[i * copies];
        }
        Model int8 = Quantizer.percentile(99.99).quantize(deployed, calibration).model();
        return CommandModel.of(int8);
    }

    /** The text with each word dropped with probability 0.2 (never all of them). */
    static String dropWords(String text, java.util.SplittableRandom rnd) {
        String[] words = text.split("\\s+");
        StringBuilder sb = new StringBuilder();
        for (String w : words) {
            if (rnd.nextDouble() >= 0.2) {
                sb.append(w).append(' ');
            }
        }
        return sb.length() == 0 ? text : sb.toString();
    }

    private int network(ModelBuilder b, int classes) {
        int ids = b.idsInput(options.count());
        int e = b.embeddingBag(ids, options.vocab(), options.dim());
        int h = b.relu(b.dense(e, options.hidden()));
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

    /** The raw logits of every utterance (for calibration), from one predictor. */
    public static float[][] logits(CommandModel model, List<Utterance> data) {
        Interpreter it = new Interpreter(model.network());
        TextHasher h = model.newHasher();
        float[][] out = new float[data.size()][];
        for (int i = 0; i < out.length; i++) {
            h.hash(data.get(i).text(), it.input());
            it.run();
            out[i] = it.output().clone();
        }
        return out;
    }

    static Set<String> scenariosOf(List<Utterance> data) {
        Set<String> s = new TreeSet<>();
        data.forEach(u -> s.add(u.scenario()));
        return s;
    }
}
