package io.nanofleet.intents.eval;

/**
 * One scored utterance: its gold labels, what the model chose and whether it answered locally.
 * {@code inScope} is the gold scenario's, so an out-of-scope utterance answered locally is a wrong answer.
 */
public record Outcome(String scenario, String intent, boolean inScope, String predicted, float confidence, boolean local) {
    public boolean correct() {
        return intent.equals(predicted);
    }
}
