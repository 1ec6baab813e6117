package io.nanofleet.intents.slots;

import java.util.Map;

/** English number words and digits to numbers: "five", "twenty five", "a hundred", "90", "2.5". */
public final class NumberWords {
    private static final Map<String, Integer> UNITS = Map.ofEntries(
            Map.entry("zero", 0), Map.entry("one", 1), Map.entry("a", 1), Map.entry("an", 1), Map.entry("two", 2),
            Map.entry("three", 3), Map.entry("four", 4), Map.entry("five", 5), Map.entry("six", 6),
            Map.entry("seven", 7), Map.entry("eight", 8), Map.entry("nine", 9), Map.entry("ten", 10),
            Map.entry("eleven", 11), Map.entry("twelve", 12), Map.entry("thirteen", 13), Map.entry("fourteen", 14),
            Map.entry("fifteen", 15), Map.entry("sixteen", 16), Map.entry("seventeen", 17), Map.entry("eighteen", 18),
            Map.entry("nineteen", 19), Map.entry("couple", 2), Map.entry("few", 3));
    private static final Map<String, Integer> TENS = Map.of("twenty", 20, "thirty", 30, "forty", 40, "fourty", 40,
            "fifty", 50, "sixty", 60, "seventy", 70, "eighty", 80, "ninety", 90);

    private NumberWords() {
    }

    /** True for a word that can start or continue a number ("a" and "an" only start one before a unit). */
    static boolean isNumberWord(String w) {
        return isDigits(w) || (UNITS.containsKey(w) && !w.equals("a") && !w.equals("an") && !w.equals("couple") && !w.equals("few"))
                || TENS.containsKey(w) || w.equals("hundred") || w.equals("half");
    }

    static boolean isDigits(String w) {
        if (w.isEmpty()) {
            return false;
        }
        int dots = 0;
        for (int i = 0; i < w.length(); i++) {
            char c = w.charAt(i);
            if (c == '.') {
                dots++;
            } else if (c < '0' || c > '9') {
                return false;
            }
        }
        return dots <= 1 && w.charAt(0) != '.' && w.charAt(w.length() - 1) != '.';
    }

    /**
     * The value of the words {@code from..to} (exclusive), or NaN when they are not one number.
     * "half" alone is 0.5; "an hour" reads "an" as one.
     */
    public static double parse(String[] words, int from, int to) {
        if (from >= to) {
            return Double.NaN;
        }
        if (to - from == 1 && isDigits(words[from])) {
            return Double.parseDouble(words[from]);
        }
        double total = 0;
        double current = 0;
        boolean any = false;
        for (int i = from; i < to; i++) {
            String w = words[i];
            if (w.equals("and") && any) {
                continue;
            }
            if (w.equals("half")) {
                current += 0.5;
            } else if (UNITS.containsKey(w)) {
                current += UNITS.get(w);
            } else if (TENS.containsKey(w)) {
                current += TENS.get(w);
            } else if (w.equals("hundred")) {
                current = (current == 0 ? 1 : current) * 100;
            } else if (isDigits(w)) {
                current += Double.parseDouble(w);
            } else {
                return Double.NaN;
            }
            any = true;
        }
        return any ? total + current : Double.NaN;
    }

    public static double parse(String phrase) {
        String[] w = SlotExtractor.words(phrase);
        return parse(w, 0, w.length);
    }
}
