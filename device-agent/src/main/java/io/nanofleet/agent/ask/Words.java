package io.nanofleet.agent.ask;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** Durations and times as an operator reads them: "10 min", "1 h 30 min", "45 s", "14:05:09". */
final class Words {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private Words() {}

    static String duration(long ms) {
        if (ms < 1000) {
            return ms + " ms";
        }
        long s = (ms + 500) / 1000;
        long d = s / 86_400;
        long h = s % 86_400 / 3600;
        long m = s % 3600 / 60;
        long sec = s % 60;
        StringBuilder sb = new StringBuilder();
        append(sb, d, "d");
        append(sb, h, "h");
        append(sb, m, "min");
        if (d == 0 && h == 0) {
            append(sb, sec, "s");
        }
        return sb.toString();
    }

    private static void append(StringBuilder sb, long n, String unit) {
        if (n > 0) {
            sb.append(sb.length() == 0 ? "" : " ").append(n).append(' ').append(unit);
        }
    }

    /** The local time of day, with the date when it is not within the next or last 12 hours. */
    static String clock(long epochMs) {
        long now = System.currentTimeMillis();
        Instant t = Instant.ofEpochMilli(epochMs);
        return Math.abs(epochMs - now) < 12 * 3600_000L ? CLOCK.format(t) : DATE.format(t);
    }
}
