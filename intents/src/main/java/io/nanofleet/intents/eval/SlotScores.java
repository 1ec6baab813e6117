package io.nanofleet.intents.eval;

import io.nanofleet.intents.data.Utterance;
import io.nanofleet.intents.slots.Durations;
import io.nanofleet.intents.slots.SlotExtractor;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Micro-averaged slot F1 of the extractor against annotated spans, per type and overall, on exact
 * (type, words) matches. Gold spans are mapped onto the extractor's types: {@code change_amount} with
 * "percent" is a {@code percentage}, a {@code time} that reads as a duration ("ten minutes") is a
 * {@code duration}; spans of other types are not scored (the device does not extract them).
 */
public final class SlotScores {
    static final Set<String> TYPES = Set.of("device_type", "house_place", "color_type", "coffee_type", "duration", "number", "percentage");

    private final Map<String, int[]> counts = new TreeMap<>(); // type -> tp, fp, fn

    public void add(Utterance u, Map<String, String> predicted) {
        Set<String> gold = new HashSet<>();
        for (Utterance.Slot s : u.slots()) {
            String g = gold(s);
            if (g != null) {
                gold.add(g);
            }
        }
        Set<String> pred = new HashSet<>();
        predicted.forEach((type, value) -> {
            if (TYPES.contains(type)) {
                pred.add(type + "=" + normalize(value));
            }
        });
        for (String p : pred) {
            int[] c = counts.computeIfAbsent(p.substring(0, p.indexOf('=')), k -> new int[3]);
            c[gold.contains(p) ? 0 : 1]++;
        }
        for (String g : gold) {
            if (!pred.contains(g)) {
                counts.computeIfAbsent(g.substring(0, g.indexOf('=')), k -> new int[3])[2]++;
            }
        }
    }

    static String gold(Utterance.Slot s) {
        String v = normalize(s.value());
        String type = s.type();
        if (type.equals("change_amount") && v.contains("percent")) {
            return "percentage=" + v;
        }
        if (type.equals("time") && Durations.seconds(v) >= 0) {
            return "duration=" + v;
        }
        return TYPES.contains(type) ? type + "=" + v : null;
    }

    static String normalize(String value) {
        String v = String.join(" ", SlotExtractor.words(value.replace("%", " percent")));
        for (String prefix : new String[]{"to ", "by ", "in ", "for ", "every "}) {
            if (v.startsWith(prefix)) {
                v = v.substring(prefix.length());
            }
        }
        return v;
    }

    public double f1() {
        int tp = 0, fp = 0, fn = 0;
        for (int[] c : counts.values()) {
            tp += c[0];
            fp += c[1];
            fn += c[2];
        }
        return f1(tp, fp, fn);
    }

    private static double f1(int tp, int fp, int fn) {
        return tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
    }

    public String table() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-12s %5s %5s %5s %7s%n", "slot", "tp", "fp", "fn", "f1"));
        counts.forEach((t, c) -> sb.append(String.format(Locale.ROOT, "%-12s %5d %5d %5d %7.4f%n", t, c[0], c[1], c[2], f1(c[0], c[1], c[2]))));
        sb.append(String.format(Locale.ROOT, "slot_f1=%.4f%n", f1()));
        return sb.toString();
    }

    public static SlotScores of(List<Utterance> data, SlotExtractor extractor, Set<String> localScenarios) {
        SlotScores s = new SlotScores();
        for (Utterance u : data) {
            if (localScenarios.contains(u.scenario())) {
                s.add(u, extractor.extract(u.text()));
            }
        }
        return s;
    }
}
