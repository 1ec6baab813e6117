package io.nanofleet.cli.operator.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanofleet.cli.operator.CliException;
import io.nanofleet.cli.operator.Env;
import io.nanofleet.cli.operator.ExitCodes;
import io.nanofleet.cli.operator.Format;
import io.nanofleet.cli.operator.Json;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;

/**
 * Follows a rollout until it ends and says how it ended (the exit code). Three ways to show it:
 * on a terminal the frame (header, waves with progress bars, last step) is redrawn in place every interval;
 * otherwise each new step is one line ({@code HH:mm:ss STEP detail}), history first; with {@code --output json}
 * the rollout object is printed as one JSON line each time it changes.
 */
public final class RolloutWatcher {
    /** How the rollout is shown. */
    public enum Mode { TERMINAL, LINES, JSON }

    private final Env env;
    private final Mode mode;
    private final boolean untilPaused;
    private final Duration timeout;

    public RolloutWatcher(Env env, Mode mode, boolean untilPaused, Duration timeout) {
        this.env = env;
        this.mode = mode;
        this.untilPaused = untilPaused;
        this.timeout = timeout;
    }

    /** Picks the mode: json if asked, a redrawn frame when stdout is a terminal, lines otherwise. */
    public static Mode mode(Env env, boolean json) {
        return json ? Mode.JSON : env.stdoutTerminal() ? Mode.TERMINAL : Mode.LINES;
    }

    /** Watches until the rollout ends; returns the exit code (see {@link RolloutView#outcome}). */
    public int watch(RolloutFeed feed, long intervalMs) throws InterruptedException {
        PrintWriter out = env.out();
        long deadline = timeout == null ? Long.MAX_VALUE : env.clock().millis() + timeout.toMillis();
        JsonNode last = null;
        long lastSeq = 0;
        int drawn = 0;
        while (true) {
            JsonNode r = feed.next(intervalMs);
            switch (mode) {
                case JSON -> {
                    if (!r.equals(last)) {
                        Json.printLine(out, r);
                    }
                }
                case LINES -> {
                    for (JsonNode s : RolloutView.stepsAfter(r, lastSeq)) {
                        out.println(RolloutView.stepLine(s, env.zone()));
                        lastSeq = s.path("seq").asLong();
                    }
                    out.flush();
                }
                case TERMINAL -> {
                    List<String> frame = RolloutView.frame(r, env.clock().millis(), env.zone(), env.columns());
                    StringBuilder sb = new StringBuilder();
                    if (drawn > 0) {
                        sb.append("\u001b[").append(drawn).append('A'); // back to the frame's first line
                    }
                    for (String l : frame) {
                        sb.append('\r').append("\u001b[2K").append(l).append('\n');
                    }
                    for (int i = frame.size(); i < drawn; i++) {
                        sb.append("\u001b[2K\n"); // a shorter frame: blank what is left of the old one
                    }
                    out.print(sb);
                    out.flush();
                    drawn = Math.max(drawn, frame.size());
                }
                default -> throw new IllegalStateException();
            }
            last = r;
            RolloutView.Outcome o = RolloutView.outcome(r, untilPaused);
            if (o != null) {
                if (o.exitCode() == ExitCodes.OK) {
                    if (mode != Mode.JSON) {
                        out.println(o.message());
                        out.flush();
                    }
                    return o.exitCode();
                }
                throw new CliException(o.exitCode(), o.message(), o.hint());
            }
            if (env.clock().millis() >= deadline) {
                throw new CliException(ExitCodes.FAILED, "rollout " + Json.text(r, "id") + " is still " + RolloutView.state(r)
                        + " after " + Format.duration(timeout) + " (--timeout)",
                        "it goes on without you; watch again: nanofleet rollouts watch " + Json.text(r, "id"));
            }
        }
    }
}
