package io.nanofleet.intents.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The nano tier's figures over a set of outcomes. {@code localCorrect}: share of in-scope utterances
 * answered locally with the right intent; {@code oosOffloaded}: share of out-of-scope ones handed on;
 * {@code wrongLocal}: share of local answers that are wrong (wrong intent, or not in scope at all);
 * {@code intentAccuracy}: top-1 over everything, offloaded or not.
 */
public record Scores(int n, int inScope, double localCorrect, double oosOffloaded, double wrongLocal, double intentAccuracy) {
    public static Scores of(List<Outcome> outcomes) {
        int in = 0, inRight = 0, oos = 0, oosOff = 0, local = 0, localWrong = 0, right = 0;
        for (Outcome o : outcomes) {
            if (o.correct()) {
                right++;
            }
            if (o.inScope()) {
                in++;
                if (o.local() && o.correct()) {
                    inRight++;
                }
            } else {
                oos++;
                if (!o.local()) {
                    oosOff++;
                }
            }
            if (o.local()) {
                local++;
                if (!o.correct()) {
                    localWrong++;
                }
            }
        }
        return new Scores(outcomes.size(), in, ratio(inRight, in), ratio(oosOff, oos), ratio(localWrong, local), ratio(right, outcomes.size()));
    }

    private static double ratio(int a, int b) {
        return b == 0 ? Double.NaN : (double) a / b;
    }

    /** A table per gold scenario: n, answered locally, locally and right, top-1 intent accuracy. */
    public static String table(List<Outcome> outcomes) {
        Map<String, List<Outcome>> by = new TreeMap<>();
        for (Outcome o : outcomes) {
            by.computeIfAbsent(o.scenario(), k -> new ArrayList<>()).add(o);
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-16s %6s %6s %8s %8s %8s%n",
                "scenario", "scope", "n", "local", "local_ok", "intent"));
        by.forEach((scenario, list) -> {
            int local = 0, localOk = 0, right = 0;
            for (Outcome o : list) {
                local += o.local() ? 1 : 0;
                localOk += o.local() && o.correct() ? 1 : 0;
                right += o.correct() ? 1 : 0;
            }
            sb.append(String.format(Locale.ROOT, "%-16s %6s %6d %8.4f %8.4f %8.4f%n", scenario, list.get(0).inScope() ? "local" : "fleet",
                    list.size(), (double) local / list.size(), (double) localOk / list.size(), (double) right / list.size()));
        });
        return sb.toString();
    }

    /** {@code n=.. in_scope=.. local_correct=.. oos_offloaded=.. wrong_local=.. intent_acc=..} */
    public String fields() {
        return String.format(Locale.ROOT, "n=%d in_scope=%d local_correct=%.4f oos_offloaded=%.4f wrong_local=%.4f intent_acc=%.4f",
                n, inScope, localCorrect, oosOffloaded, wrongLocal, intentAccuracy);
    }
}
