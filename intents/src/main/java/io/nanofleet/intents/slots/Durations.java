package io.nanofleet.intents.slots;

import java.util.Map;

/** Durations in words to seconds: "ten minutes", "2 hours", "half an hour", "30 sec", "an hour and a half". */
public final class Durations {
    static final Map<String, Integer> UNIT_SECONDS = Map.ofEntries(
            Map.entry("s", 1), Map.entry("sec", 1), Map.entry("secs", 1), Map.entry("second", 1), Map.entry("seconds", 1),
            Map.entry("m", 60), Map.entry("min", 60), Map.entry("mins", 60), Map.entry("minute", 60), Map.entry("minutes", 60),
            Map.entry("h", 3600), Map.entry("hr", 3600), Map.entry("hrs", 3600), Map.entry("hour", 3600), Map.entry("hours", 3600),
            Map.entry("day", 86400), Map.entry("days", 86400));

    private Durations() {
    }

    static boolean isUnit(String w) {
        return UNIT_SECONDS.containsKey(w);
    }

    /**
     * Seconds in a duration phrase, or -1 when it is not one. Digits glued to a unit ("30s", "5min") are
     * split first.
     */
    public static long seconds(String phrase) {
        String[] w = SlotExtractor.words(phrase.replaceAll("(\\d)([a-z])", "$1 $2"));
        double total = 0;
        int start = 0;
        boolean any = false;
        for (int i = 0; i < w.length; i++) {
            if (isUnit(w[i])) {
                int from = start;
                while (from < i && (w[from].equals("and") || w[from].equals("for") || w[from].equals("every"))) {
                    from++;
                }
                double n = from == i ? 1 : NumberWords.parse(w, from, i);
                if (Double.isNaN(n)) {
                    return -1;
                }
                total += n * UNIT_SECONDS.get(w[i]);
                any = true;
                start = i + 1;
            } else if (w[i].equals("half") && i + 1 < w.length && (w[i + 1].equals("a") || w[i + 1].equals("an"))
                    && i + 2 < w.length && isUnit(w[i + 2])) {
                total += 0.5 * UNIT_SECONDS.get(w[i + 2]);
                any = true;
                i += 2;
                start = i + 1;
            }
        }
        if (start < w.length) {
            // trailing "and a half"
            if (any && w.length - start >= 2 && w[w.length - 1].equals("half")) {
                return Math.round(total * 1.5);
            }
            if (start < w.length && any) {
                return -1;
            }
        }
        return any ? Math.round(total) : -1;
    }
}
