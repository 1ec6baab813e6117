package io.nanofleet.cli.operator;

import java.io.PrintWriter;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * An upload progress bar on stderr, redrawn in place at most ten times a second:
 * {@code uploading anomaly-v2.nfm [#########...........]  45%  1.2 MiB of 2.7 MiB}. Only when stderr is a
 * terminal; otherwise {@link #NONE}, and nothing is printed.
 */
public final class ProgressBar implements LongConsumer {
    public static final LongConsumer NONE = n -> { };

    private final PrintWriter err;
    private final String label;
    private final long total;
    private final LongSupplier nanos;
    private long lastDraw = Long.MIN_VALUE;
    private boolean drawn;
    private boolean ended;

    ProgressBar(PrintWriter err, String label, long total, LongSupplier nanos) {
        this.err = err;
        this.label = label;
        this.total = total;
        this.nanos = nanos;
    }

    /** A bar when stderr is a terminal, else {@link #NONE}. */
    public static LongConsumer forUpload(Env env, String label, long total) {
        return env.stderrTerminal() ? new ProgressBar(env.err(), label, total, System::nanoTime) : NONE;
    }

    @Override
    public synchronized void accept(long sent) {
        long t = nanos.getAsLong();
        if (ended || sent < total && drawn && t - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = t;
        drawn = true;
        err.print("\r\u001b[2K" + line(label, sent, total));
        if (sent >= total) {
            err.println();
            ended = true;
        }
        err.flush();
    }

    /** The bar's text for {@code sent} of {@code total} bytes. */
    public static String line(String label, long sent, long total) {
        double f = total <= 0 ? 1 : (double) sent / total;
        return "uploading " + label + " " + Format.bar(f, 24) + " " + String.format(java.util.Locale.ROOT, "%3d%%", Math.round(f * 100))
                + "  " + Format.bytes(sent) + " of " + Format.bytes(total);
    }

    /** Ends the line if the bar was drawn and the upload stopped early. */
    public synchronized void finish() {
        if (drawn && !ended) {
            ended = true;
            err.println();
            err.flush();
        }
    }
}
