package io.nanofleet.intents.slots;

import io.nanofleet.intents.data.Utterance;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Finds the arguments of an in-scope command. Numbers, durations and percentages by pattern; colours,
 * devices, places and drinks by longest match against lexicons learnt from the training annotations (plus
 * the common colour names), which travel inside the model file, so a new model brings its own vocabulary.
 * A statistical tagger would generalise further, but on a device the lexicon is exact, tiny and explainable,
 * and the phrases of home automation are few.
 *
 * <p>Slot names follow the annotation: {@code device_type}, {@code house_place}, {@code color_type},
 * {@code coffee_type}, and {@code duration}, {@code percentage}, {@code number}. Values are the words as
 * written (lower-cased); {@link Durations#seconds} and {@link NumberWords#parse} read them.
 */
public final class SlotExtractor {
    /** Slot types whose values are learnt as phrases. */
    public static final List<String> LEXICON_TYPES = List.of("device_type", "house_place", "color_type", "coffee_type");
    static final String PROPERTY_PREFIX = "slots.lexicon.";
    private static final List<String> COLOURS = List.of("red", "green", "blue", "yellow", "orange", "purple", "pink",
            "white", "warm white", "cool white", "violet", "cyan", "magenta", "turquoise", "teal", "amber", "gold", "lime");

    /** type -> phrases as word arrays, longest first. */
    private final Map<String, List<String[]>> lexicons;

    private SlotExtractor(Map<String, ? extends Collection<String>> phrases) {
        Map<String, List<String[]>> m = new LinkedHashMap<>();
        for (String type : LEXICON_TYPES) {
            List<String[]> list = new ArrayList<>();
            Collection<String> given = phrases.get(type);
            for (String p : given == null ? List.<String>of() : given) {
                String[] w = words(p);
                if (w.length > 0) {
                    list.add(w);
                }
            }
            list.sort((a, b) -> b.length - a.length);
            m.put(type, list);
        }
        this.lexicons = m;
    }

    /**
     * Learns the lexicons from annotated in-scope utterances (spans of {@link #LEXICON_TYPES}). A phrase is
     * kept only if, where it occurs in the training text, it is annotated at least half the time: annotators
     * mark "vacuum cleaner" as a device nearly always but "lights" almost never, and a lexicon that fires
     * where people do not see a slot only adds false positives.
     */
    public static SlotExtractor learn(Collection<Utterance> utterances) {
        Map<String, Map<String, int[]>> phrases = new HashMap<>(); // type -> phrase -> annotated count
        for (String t : LEXICON_TYPES) {
            phrases.put(t, new TreeMap<>());
        }
        for (String c : COLOURS) {
            phrases.get("color_type").put(c, new int[]{0});
        }
        for (Utterance u : utterances) {
            for (Utterance.Slot s : u.slots()) {
                Map<String, int[]> set = phrases.get(s.type());
                String v = String.join(" ", words(s.value()));
                if (set != null && !v.isEmpty() && v.length() <= 40 && !v.contains("|")) {
                    set.computeIfAbsent(v, k -> new int[]{0})[0]++;
                }
            }
        }
        Map<String, Integer> occurrences = new HashMap<>();
        for (Utterance u : utterances) {
            String text = " " + String.join(" ", words(u.text())) + " ";
            for (Map<String, int[]> set : phrases.values()) {
                for (String p : set.keySet()) {
                    if (text.contains(" " + p + " ")) {
                        occurrences.merge(p, 1, Integer::sum);
                    }
                }
            }
        }
        Map<String, List<String>> kept = new HashMap<>();
        phrases.forEach((type, set) -> {
            List<String> list = new ArrayList<>();
            set.forEach((p, annotated) -> {
                int seen = occurrences.getOrDefault(p, 0);
                if (seen == 0 || annotated[0] * 2 >= seen) {
                    list.add(p);
                }
            });
            kept.put(type, list);
        });
        return new SlotExtractor(kept);
    }

    /** Reads the lexicons back from model properties ({@code slots.lexicon.TYPE = a|b|c}). */
    public static SlotExtractor fromProperties(Map<String, String> properties) {
        Map<String, List<String>> phrases = new HashMap<>();
        for (String t : LEXICON_TYPES) {
            String v = properties.get(PROPERTY_PREFIX + t);
            phrases.put(t, v == null || v.isEmpty() ? List.of() : Arrays.asList(v.split("\\|")));
        }
        return new SlotExtractor(phrases);
    }

    public Map<String, String> toProperties() {
        Map<String, String> out = new TreeMap<>();
        lexicons.forEach((type, list) -> {
            TreeSet<String> sorted = new TreeSet<>();
            list.forEach(w -> sorted.add(String.join(" ", w)));
            out.put(PROPERTY_PREFIX + type, String.join("|", sorted));
        });
        return out;
    }

    /** The slots of one utterance: type to words. At most one value per type (the first found). */
    public Map<String, String> extract(String text) {
        String[] w = words(text.replace("%", " percent ").replaceAll("(\\d)([a-z])", "$1 $2"));
        boolean[] used = new boolean[w.length];
        Map<String, String> out = new LinkedHashMap<>();
        numeric(w, used, out);
        for (Map.Entry<String, List<String[]>> e : lexicons.entrySet()) {
            match(w, used, e.getKey(), e.getValue(), out);
        }
        return out;
    }

    private static void numeric(String[] w, boolean[] used, Map<String, String> out) {
        for (int i = 0; i < w.length; i++) {
            if (used[i]) {
                continue;
            }
            // "half an hour", "an hour", "a minute": durations that start without a number word
            if ((w[i].equals("half") || w[i].equals("an") || w[i].equals("a")) && !out.containsKey("duration")) {
                int j = i;
                if (w[j].equals("half") && j + 1 < w.length && (w[j + 1].equals("an") || w[j + 1].equals("a"))) {
                    j++;
                }
                if (j + 1 < w.length && Durations.isUnit(w[j + 1]) && (w[j].equals("an") || w[j].equals("a"))) {
                    int stop = andAHalf(w, j + 2);
                    claim(w, used, i, stop, "duration", out);
                    i = stop - 1;
                    continue;
                }
            }
            if (!NumberWords.isNumberWord(w[i])) {
                continue;
            }
            int end = i + 1;
            while (end < w.length && (NumberWords.isNumberWord(w[end])
                    || (w[end].equals("and") && end + 1 < w.length && NumberWords.isNumberWord(w[end + 1])))) {
                end++;
            }
            if (Double.isNaN(NumberWords.parse(w, i, end))) {
                continue;
            }
            if (end < w.length && Durations.isUnit(w[end]) && !out.containsKey("duration")) {
                int stop = andAHalf(w, end + 1);
                claim(w, used, i, stop, "duration", out);
                i = stop - 1;
            } else if (end < w.length && (w[end].equals("percent") || (w[end].equals("per") && end + 1 < w.length
                    && w[end + 1].equals("cent"))) && !out.containsKey("percentage")) {
                int stop = w[end].equals("per") ? end + 2 : end + 1;
                claim(w, used, i, stop, "percentage", out);
                i = stop - 1;
            } else if (end < w.length && (w[end].equals("am") || w[end].equals("pm") || w[end].equals("o"))) {
                claim(w, used, i, end + 1, "time", out);
                i = end;
            } else if (!out.containsKey("number") && !(end - i == 1 && w[i].equals("half"))) {
                claim(w, used, i, end, "number", out);
                i = end - 1;
            }
        }
    }

    /** {@code at}, or past a following "and a half" ("two hours and a half"). */
    private static int andAHalf(String[] w, int at) {
        if (at + 3 <= w.length && w[at].equals("and") && w[at + 1].equals("a") && w[at + 2].equals("half")) {
            return at + 3;
        }
        return at;
    }

    private static void match(String[] w, boolean[] used, String type, List<String[]> phrases, Map<String, String> out) {
        for (String[] p : phrases) {
            outer:
            for (int i = 0; i + p.length <= w.length; i++) {
                for (int k = 0; k < p.length; k++) {
                    if (used[i + k] || !w[i + k].equals(p[k])) {
                        continue outer;
                    }
                }
                claim(w, used, i, i + p.length, type, out);
                return;
            }
        }
    }

    private static void claim(String[] w, boolean[] used, int from, int to, String type, Map<String, String> out) {
        StringBuilder sb = new StringBuilder();
        for (int k = from; k < to; k++) {
            used[k] = true;
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(w[k]);
        }
        out.putIfAbsent(type, sb.toString());
    }

    /** Lower-cased words: runs of letters, digits, apostrophes inside words, and decimal points between digits. */
    public static String[] words(String text) {
        List<String> out = new ArrayList<>();
        String s = text.toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < s.length()) {
            while (i < s.length() && !Character.isLetterOrDigit(s.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i))
                    || (s.charAt(i) == '.' && i > start && i + 1 < s.length() && Character.isDigit(s.charAt(i - 1)) && Character.isDigit(s.charAt(i + 1))))) {
                i++;
            }
            if (i > start) {
                out.add(s.substring(start, i));
            }
        }
        return out.toArray(new String[0]);
    }
}
