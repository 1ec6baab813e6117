package io.nanofleet.intents.data;

import java.util.List;
import java.util.Objects;

/**
 * One labelled utterance. {@code intent} is always {@code scenario_action} (SLURP writes a few bare actions,
 * such as {@code cleaning} under scenario {@code iot}; the reader prefixes those), and {@code slots} are
 * the annotation's spans, empty where the data has none.
 */
public record Utterance(String text, String scenario, String intent, List<Slot> slots) {
    public Utterance {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(scenario, "scenario");
        Objects.requireNonNull(intent, "intent");
        slots = List.copyOf(slots);
    }

    /** An annotated span: its type ({@code device_type}, {@code duration}, ...) and its words. */
    public record Slot(String type, String value) {
    }
}
