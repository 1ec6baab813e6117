package io.nanofleet.intents.model;

import io.nanofleet.runtime.Interpreter;
import io.nanofleet.runtime.TextHasher;
import java.util.Map;

/**
 * Runs a {@link CommandModel} on text. {@link #classify} is the hot path: hashing, the int8 network and the
 * calibrated softmax, allocating nothing after construction. {@link #predict} adds slots and a
 * {@link Prediction} record. One per thread (it owns an interpreter and the hasher's scratch).
 */
public final class CommandPredictor {
    private final CommandModel model;
    private final Interpreter interpreter;
    private final TextHasher[] hashers;
    private final float[] logits;
    private final float[] probabilities;
    private int best = -1;
    private float confidence;

    CommandPredictor(CommandModel model) {
        this.model = model;
        this.interpreter = new Interpreter(model.network());
        this.hashers = new TextHasher[model.members()];
        for (int m = 0; m < hashers.length; m++) {
            hashers[m] = model.newHasher(m);
        }
        this.logits = new float[model.intents().size()];
        this.probabilities = new float[model.intents().size()];
    }

    /**
     * Scores {@code text} and returns the index of the most likely intent; {@link #confidence()} and
     * {@link #decision()} then describe this call.
     */
    public int classify(CharSequence text) {
        logits(text);
        float inv = 1f / model.temperature();
        int arg = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[arg]) {
                arg = i;
            }
        }
        float max = logits[arg] * inv;
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            float e = (float) Math.exp(logits[i] * inv - max);
            probabilities[i] = e;
            sum += e;
        }
        float norm = (float) (1 / sum);
        for (int i = 0; i < probabilities.length; i++) {
            probabilities[i] *= norm;
        }
        best = arg;
        confidence = probabilities[arg];
        return arg;
    }

    /** The members' averaged logits for {@code text} (a live view, overwritten by the next call). */
    public float[] logits(CharSequence text) {
        for (int m = 0; m < hashers.length; m++) {
            hashers[m].hash(text, interpreter.input(m));
        }
        interpreter.run();
        java.util.Arrays.fill(logits, 0f);
        for (int m = 0; m < hashers.length; m++) {
            float[] z = interpreter.output(m);
            for (int i = 0; i < logits.length; i++) {
                logits[i] += z[i];
            }
        }
        float inv = 1f / hashers.length;
        for (int i = 0; i < logits.length; i++) {
            logits[i] *= inv;
        }
        return logits;
    }

    /** Calibrated probability of the intent the last {@link #classify} chose. */
    public float confidence() {
        return confidence;
    }

    /** Local only when the intent is in scope and the model is at least as sure as the stored threshold. */
    public Decision decision() {
        if (best < 0) {
            throw new IllegalStateException("classify() has not run");
        }
        return model.isLocal(best) && confidence >= model.threshold() ? Decision.LOCAL : Decision.OFFLOAD;
    }

    /** Calibrated probabilities of every intent for the last call (a live view: copy it to keep it). */
    public float[] probabilities() {
        return probabilities;
    }

    public Prediction predict(CharSequence text) {
        int i = classify(text);
        Decision d = decision();
        String intent = model.intents().get(i);
        Map<String, String> slots = d == Decision.LOCAL ? model.slots().extract(text.toString()) : Map.of();
        return new Prediction(d, intent, model.scenarioOf(i), confidence, slots);
    }

    public CommandModel model() {
        return model;
    }
}
