package io.nanofleet.mini;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The mini tier: question text in, intent, calibrated confidence, whether the fleet server can answer it
 * from its own data, and the slots. No storage access: the fleet server maps a fleet intent and its slots
 * to its store, and sends everything else (or anything below the threshold) to the full tier.
 *
 * <pre>{@code
 * MiniTier mini = new MiniTier(Embedder.create(), IntentClassifier.read(path), new FleetQuestionParser(clock, knownIds, null));
 * MiniAnswer a = mini.classify("any anomalies on pump-07 in the last 24 hours");
 * if (a.answerFromFleetData()) { ... a.fleetIntent(), a.slots().deviceIds(), a.slots().timeRange() ... } else { ... full tier ... }
 * }</pre>
 *
 * Thread-safe; {@link #classify} embeds on the calling thread (a few milliseconds on one core).
 */
public final class MiniTier {
    private final Embedder embedder;
    private final IntentClassifier model;
    private final FleetQuestionParser parser;

    public MiniTier(Embedder embedder, IntentClassifier model, FleetQuestionParser parser) {
        this.embedder = Objects.requireNonNull(embedder, "embedder");
        this.model = Objects.requireNonNull(model, "model");
        this.parser = Objects.requireNonNull(parser, "parser");
    }

    /** The same tier with another confidence threshold (the model's is the one fitted on CV folds). */
    public MiniTier withThreshold(float threshold) {
        return new MiniTier(embedder, model.withThreshold(threshold), parser);
    }

    /** The same tier reading slots with another parser (say, after the set of known device ids changed). */
    public MiniTier withParser(FleetQuestionParser p) {
        return new MiniTier(embedder, model, p);
    }

    /** @throws IllegalArgumentException for blank text (there is nothing to classify) */
    public MiniAnswer classify(String text) {
        return answer(text, embedder.embed(text));
    }

    /** {@link #classify} for an embedding already computed. */
    public MiniAnswer answer(String text, float[] embedding) {
        return decide(text, model.probabilities(embedding), model, parser);
    }

    /**
     * The answer for calibrated probabilities over {@code model}'s labels (the cross-validation report feeds
     * out-of-fold ones): top intent, threshold, and for a fleet intent its slots and what is missing.
     */
    public static MiniAnswer decide(String text, float[] probabilities, IntentClassifier model, FleetQuestionParser parser) {
        int best = MiniTierTraining.argmax(probabilities);
        float p = probabilities[best];
        String intent = model.labels().get(best);
        String scenario = model.scenarios().get(best);
        boolean confident = p >= model.threshold();
        FleetIntent fi = FleetIntent.of(intent).orElse(null);
        if (fi == null) {
            return new MiniAnswer(intent, scenario, p, confident, false, FleetQuery.EMPTY, List.of());
        }
        FleetQuery q = parser.parse(text).forIntent(fi);
        List<String> missing = new ArrayList<>();
        for (String type : fi.required()) {
            if (!q.has(type)) {
                missing.add(type);
            }
        }
        return new MiniAnswer(intent, scenario, p, confident, true, q, missing);
    }

    public IntentClassifier model() {
        return model;
    }

    public float threshold() {
        return model.threshold();
    }
}
