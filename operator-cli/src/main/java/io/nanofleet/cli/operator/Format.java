package io.nanofleet.cli.operator;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How times, ages, durations and sizes read in tables. */
public final class Format {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

    private Format() {
    }

    /** {@code 2025-05-01 12:00:03} in {@code zone}; "" for 0 (never). */
    public static String time(long epochMs, ZoneId zone) {
        return epochMs <= 0 ? "" : TIME.format(Instant.ofEpochMilli(epochMs).atZone(zone));
    }

    /** {@code 12:00:03} in {@code zone}. */
    public static String clock(long epochMs, ZoneId zone) {
        return CLOCK.format(Instant.ofEpochMilli(epochMs).atZone(zone));
    }

    /** {@code 3s ago}, {@code 5m ago}, {@code 2h ago}, {@code 4d ago}; "never" for 0. */
    public static String ago(long epochMs, long nowMs) {
        if (epochMs <= 0) {
            return "never";
        }
        long s = Math.max(0, (nowMs - epochMs) / 1000);
        return s < 60 ? s + "s ago" : s < 3600 ? s / 60 + "m ago" : s < 86_400 ? s / 3600 + "h ago" : s / 86_400 + "d ago";
    }

    /** {@code 850ms}, {@code 12s}, {@code 1m30s}, {@code 2h}, {@code 1d2h}. */
    public static String duration(Duration d) {
        long ms = Math.max(0, d.toMillis());
        if (ms < 1000) {
            return ms + "ms";
        }
        long s = ms / 1000;
        long days = s / 86_400;
        long h = s % 86_400 / 3600;
        long m = s % 3600 / 60;
        long sec = s % 60;
        StringBuilder sb = new StringBuilder();
        if (days > 0) {
            sb.append(days).append('d');
        }
        if (h > 0) {
            sb.append(h).append('h');
        }
        if (m > 0 && days == 0) {
            sb.append(m).append('m');
        }
        if (sec > 0 && days == 0 && h == 0) {
            sb.append(sec).append('s');
        }
        return sb.toString();
    }

    /** {@code 512 B}, {@code 1.5 KiB}, {@code 2.0 MiB}. */
    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        double v = n / 1024.0;
        String[] units = {"KiB", "MiB", "GiB"};
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** {@code [#########...........]} for a fraction in [0, 1]. */
    public static String bar(double fraction, int width) {
        double f = Double.isNaN(fraction) ? 0 : Math.max(0, Math.min(1, fraction));
        int full = (int) Math.round(f * width);
        return "[" + "#".repeat(full) + ".".repeat(width - full) + "]";
    }
}
