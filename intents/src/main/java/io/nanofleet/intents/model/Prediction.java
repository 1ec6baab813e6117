package io.nanofleet.intents.model;

import java.util.Map;

/**
 * The command model's answer to one utterance. {@code intent} is the most likely intent even when the
 * decision is {@link Decision#OFFLOAD}, so the next tier knows what the device made of it;
 * {@code confidence} is the calibrated probability of that intent. {@code slots} are extracted only for
 * local answers (offloaded text is the next tier's to read).
 */
public record Prediction(Decision decision, String intent, String scenario, float confidence, Map<String, String> slots) {
    public Prediction {
        slots = Map.copyOf(slots);
    }

    public boolean local() {
        return decision == Decision.LOCAL;
    }
}
