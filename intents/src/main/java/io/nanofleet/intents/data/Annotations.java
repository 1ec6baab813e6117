package io.nanofleet.intents.data;

import java.util.ArrayList;
import java.util.List;

/** Reads slot spans written the HWU64 / SLURP way: {@code turn on the [house_place : kitchen] lights}. */
public final class Annotations {
    private Annotations() {
    }

    /**
     * The spans of one annotation, in order.
     *
     * @throws IllegalArgumentException for an unclosed bracket or a span without {@code type : words}
     */
    public static List<Utterance.Slot> parse(String annotation) {
        List<Utterance.Slot> slots = new ArrayList<>();
        int i = 0;
        while ((i = annotation.indexOf('[', i)) >= 0) {
            int end = annotation.indexOf(']', i);
            if (end < 0) {
                throw new IllegalArgumentException("unclosed '[' at character " + i + " of: " + annotation);
            }
            String span = annotation.substring(i + 1, end);
            int colon = span.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("span '[" + span + "]' has no 'type : words' in: " + annotation);
            }
            String type = span.substring(0, colon).trim();
            String value = span.substring(colon + 1).trim();
            if (!type.isEmpty() && !value.isEmpty()) {
                slots.add(new Utterance.Slot(type, value));
            }
            i = end + 1;
        }
        return slots;
    }
}
