package io.nanofleet.agent.ota;

import io.nanofleet.intents.model.CommandModel;
import io.nanofleet.intents.model.CommandPredictor;
import io.nanofleet.intents.model.Prediction;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The shadow check of a new command model: a fixed probe set of utterances shipped in the agent
 * ({@code command-probe.tsv} beside this class), each an operator command the device must answer locally with
 * a given intent, or an out-of-scope sentence it must not answer locally. The candidate runs on every line
 * before it may replace the running model.
 *
 * <p>The rule ({@link #passes}): the candidate
 * <ol>
 *   <li>answers at least {@code floor} (default {@value #DEFAULT_FLOOR}) of the in-scope probes locally with the
 *       expected intent, and</li>
 *   <li>answers locally no more of the out-of-scope probes than the running model does, plus one.</li>
 * </ol>
 * Acting on text that was not a command for the device is the costly mistake, so the second rule is judged against
 * what the device runs now: a candidate may not misfire on more than one sentence the current model leaves to the
 * fleet. A candidate that fails to load, or throws on any probe, fails the check too ({@link ModelUpdater}).
 */
public final class CommandProbe {
    /** Fraction of the in-scope probes a candidate must get right, unless configured otherwise. */
    public static final double DEFAULT_FLOOR = 0.8;
    static final String RESOURCE = "command-probe.tsv";
    /** The intent column of an out-of-scope line. */
    static final String OUT_OF_SCOPE = "-";

    /** One probe line: the expected intent, or null when the text is out of scope. */
    record Line(String intent, String text) {}

    private final List<Line> lines;

    CommandProbe(List<Line> lines) {
        this.lines = List.copyOf(lines);
        if (inScope() == 0) {
            throw new IllegalArgumentException("a probe set needs at least one in-scope command");
        }
    }

    /** The probe set shipped in the agent. */
    public static CommandProbe shipped() {
        try (InputStream in = CommandProbe.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the agent's classpath");
            }
            return new CommandProbe(parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the command probe set", e);
        }
    }

    static List<Line> parse(BufferedReader r) throws IOException {
        List<Line> out = new ArrayList<>();
        int n = 0;
        for (String s = r.readLine(); s != null; s = r.readLine()) {
            n++;
            if (s.isBlank() || s.startsWith("#")) {
                continue;
            }
            int tab = s.indexOf('\t');
            if (tab <= 0 || tab == s.length() - 1) {
                throw new IOException(RESOURCE + " line " + n + ": expected <intent or ->\\t<text>");
            }
            String intent = s.substring(0, tab).trim();
            out.add(new Line(intent.equals(OUT_OF_SCOPE) ? null : intent, s.substring(tab + 1).trim()));
        }
        return out;
    }

    int inScope() {
        return (int) lines.stream().filter(l -> l.intent() != null).count();
    }

    int outOfScope() {
        return lines.size() - inScope();
    }

    /** How one model answered the probe set. */
    public record Score(int inScopeRight, int inScope, int outOfScopeLocal, int outOfScope) {
        @Override
        public String toString() {
            return inScopeRight + "/" + inScope + " commands right, " + outOfScopeLocal + "/" + outOfScope + " out-of-scope answered locally";
        }
    }

    /** Runs {@code model} on every probe line (throws whatever the model throws). */
    public Score score(CommandModel model) {
        CommandPredictor p = model.predictor();
        int right = 0;
        int local = 0;
        for (Line l : lines) {
            Prediction r = p.predict(l.text());
            if (l.intent() == null) {
                if (r.local()) {
                    local++;
                }
            } else if (r.local() && l.intent().equals(r.intent())) {
                right++;
            }
        }
        return new Score(right, inScope(), local, outOfScope());
    }

    /** The verdict on a candidate against the running model. */
    public record Verdict(boolean passed, Score candidate, Score current, String reason) {}

    /** Scores both models and applies {@link #passes}. */
    public Verdict judge(CommandModel candidate, CommandModel current, double floor) {
        Score c = score(candidate);
        Score now = score(current);
        String why = passes(c, now, floor);
        return new Verdict(why == null, c, now, why == null ? "probe " + c + " (running model " + now + ")" : why);
    }

    /** The rule of this class: null when {@code candidate} passes against {@code current}, else why not. */
    static String passes(Score candidate, Score current, double floor) {
        int needed = (int) Math.ceil(floor * candidate.inScope() - 1e-9);
        if (candidate.inScopeRight() < needed) {
            return String.format(Locale.ROOT, "probe: %d/%d commands right, at least %d needed (floor %.2f)",
                    candidate.inScopeRight(), candidate.inScope(), needed, floor);
        }
        int allowed = current.outOfScopeLocal() + 1;
        if (candidate.outOfScopeLocal() > allowed) {
            return String.format(Locale.ROOT, "probe: %d/%d out-of-scope sentences answered locally, the running model %d, "
                    + "at most %d allowed", candidate.outOfScopeLocal(), candidate.outOfScope(), current.outOfScopeLocal(), allowed);
        }
        return null;
    }
}
