package io.nanofleet.mini;

import java.time.Instant;
import java.util.Objects;

/**
 * A half-open interval {@code [from, to)} a question asks about, with the words it was read from
 * ({@code "last 24 hours"}, {@code "since monday"}).
 */
public record TimeRange(Instant from, Instant to, String text) {
    public TimeRange {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(text, "text");
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("empty time range " + from + " .. " + to + " (" + text + ")");
        }
    }
}
