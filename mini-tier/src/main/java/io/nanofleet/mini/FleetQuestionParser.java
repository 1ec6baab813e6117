package io.nanofleet.mini;

import io.nanofleet.intents.slots.NumberWords;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the slots of a fleet question by rule: device ids, a group, a time range, a model version and a
 * rollout id. Immutable and thread-safe.
 *
 * <ul>
 * <li><b>Device ids</b>: words of lower-case letters and digits joined by dashes ({@code pump-07},
 *     {@code gw-berlin-2}). Given a set of known ids, exactly those count (any shape) and other
 *     id-shaped words are reported as unknown; without one, an id must hold a dash and a digit.</li>
 * <li><b>Group</b>: {@code group X}, {@code the X group}, {@code in X}, or {@code at X} where X is a name
 *     (not a time word, number or article; after {@code at} not id-shaped either: {@code at pump-07} is a
 *     device). A known device id is never a group. Given a set of known groups, only those count.</li>
 * <li><b>Time range</b>, {@code [from, to)} in the clock's zone (weeks start on Monday): {@code last|past N
 *     minutes|hours|days|weeks} (digits or number words; {@code last hour} is one), {@code today}
 *     (midnight to now), {@code yesterday} (midnight to midnight), {@code since yesterday}, {@code this week}
 *     (Monday midnight to now) and {@code since <weekday>} (that day's midnight, today if it is that day, to
 *     now).</li>
 * <li><b>Model version</b>: {@code v2}, {@code v2.3}, {@code 1.4.0}, or the number after {@code version}.</li>
 * <li><b>Rollout id</b>: the word after {@code rollout} (or {@code rollout number}) when it holds a digit
 *     ({@code 42}, {@code #42}, {@code r-17}).</li>
 * </ul>
 */
public final class FleetQuestionParser {
    private static final Pattern ID = Pattern.compile("[a-z0-9]+(?:-[a-z0-9]+)+");
    private static final Pattern VERSION = Pattern.compile("v\\d+(?:\\.\\d+)*|\\d+(?:\\.\\d+)+");
    private static final Map<String, Duration> UNITS = Map.of(
            "minute", Duration.ofMinutes(1), "min", Duration.ofMinutes(1), "hour", Duration.ofHours(1),
            "hr", Duration.ofHours(1), "day", Duration.ofDays(1), "week", Duration.ofDays(7));
    private static final Map<String, DayOfWeek> WEEKDAYS = Map.of(
            "monday", DayOfWeek.MONDAY, "tuesday", DayOfWeek.TUESDAY, "wednesday", DayOfWeek.WEDNESDAY,
            "thursday", DayOfWeek.THURSDAY, "friday", DayOfWeek.FRIDAY, "saturday", DayOfWeek.SATURDAY,
            "sunday", DayOfWeek.SUNDAY);
    /** Words after "in" / "at" / "group" that are not group names. */
    private static final Set<String> NOT_A_NAME = Set.of(
            "the", "a", "an", "this", "that", "these", "those", "my", "our", "your", "their", "its", "it", "last",
            "past", "total", "general", "there", "here", "any", "all", "every", "each", "fleet", "order", "detail",
            "progress", "range", "place", "time", "use", "service", "maintenance", "which", "what", "of", "by", "is",
            "are", "and", "or", "with", "for", "to", "on", "in", "at", "from", "since", "today", "yesterday",
            "tomorrow", "now", "recently", "week", "weeks", "day", "days", "hour", "hours", "minute", "minutes",
            "morning", "evening", "night", "tonight", "month", "year", "wave", "rollout", "update", "canary",
            "devices", "device", "sensors", "gateways", "group", "groups", "version", "model", "normal");

    private final Clock clock;
    private final Set<String> knownDevices;
    private final Set<String> knownGroups;

    /** Recognizes device ids and groups by shape alone. */
    public FleetQuestionParser(Clock clock) {
        this(clock, null, null);
    }

    /**
     * @param knownDevices device ids that exist (lower-case), or null to recognize them by shape
     * @param knownGroups  group names that exist (lower-case), or null to accept any name in a group phrase
     */
    public FleetQuestionParser(Clock clock, Set<String> knownDevices, Set<String> knownGroups) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.knownDevices = knownDevices == null ? null : Set.copyOf(knownDevices);
        this.knownGroups = knownGroups == null ? null : Set.copyOf(knownGroups);
    }

    /** Every slot found in {@code text}, whatever the intent; {@link FleetQuery#forIntent} keeps an intent's. */
    public FleetQuery parse(String text) {
        String[] w = words(text);
        boolean[] used = new boolean[w.length];
        TimeRange range = timeRange(w, used);
        String rollout = rolloutId(w, used);
        String version = modelVersion(w, used);
        String group = group(w, used);
        List<String> devices = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < w.length; i++) {
            if (used[i]) {
                continue;
            }
            if (knownDevices != null && knownDevices.contains(w[i])) {
                add(devices, w[i]);
            } else if (looksLikeId(w[i])) {
                add(knownDevices == null ? devices : unknown, w[i]);
            }
        }
        return new FleetQuery(devices, unknown, group, range, version, rollout);
    }

    /** Lower-cased words, punctuation around them removed (inner dashes and dots kept), a trailing 's dropped. */
    static String[] words(String text) {
        List<String> out = new ArrayList<>();
        for (String raw : text.toLowerCase(Locale.ROOT).split("[\\s,;!?()\"]+")) {
            String t = raw;
            int a = 0, b = t.length();
            while (a < b && ".:'`".indexOf(t.charAt(a)) >= 0) {
                a++;
            }
            while (b > a && ".:'`".indexOf(t.charAt(b - 1)) >= 0) {
                b--;
            }
            t = t.substring(a, b);
            if (t.endsWith("'s") || t.endsWith("’s")) {
                t = t.substring(0, t.length() - 2);
            }
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out.toArray(String[]::new);
    }

    private static void add(List<String> list, String v) {
        if (!list.contains(v)) {
            list.add(v);
        }
    }

    private static boolean looksLikeId(String w) {
        return ID.matcher(w).matches() && w.chars().anyMatch(Character::isDigit) && w.chars().anyMatch(Character::isLetter);
    }

    private TimeRange timeRange(String[] w, boolean[] used) {
        Instant now = clock.instant();
        ZoneId zone = clock.getZone();
        LocalDate today = LocalDate.ofInstant(now, zone);
        Instant midnight = today.atStartOfDay(zone).toInstant();
        for (int i = 0; i < w.length; i++) {
            String x = w[i];
            if (x.equals("last") || x.equals("past")) {
                // last|past [N] unit(s): the number is the words between, if any
                for (int j = i + 1; j < Math.min(w.length, i + 5); j++) {
                    Duration unit = unit(w[j]);
                    if (unit == null) {
                        continue;
                    }
                    double n = j == i + 1 ? 1 : NumberWords.parse(w, i + 1, j);
                    if (Double.isNaN(n) || n <= 0 || n > 10_000) {
                        break;
                    }
                    mark(used, i, j + 1);
                    long seconds = Math.round(n * unit.getSeconds());
                    return new TimeRange(now.minusSeconds(seconds), now, join(w, i, j + 1));
                }
            } else if (x.equals("today")) {
                mark(used, i, i + 1);
                return new TimeRange(midnight, later(now, midnight), "today");
            } else if (x.equals("yesterday")) {
                Instant start = today.minusDays(1).atStartOfDay(zone).toInstant();
                if (i > 0 && w[i - 1].equals("since")) {
                    mark(used, i - 1, i + 1);
                    return new TimeRange(start, now, "since yesterday");
                }
                mark(used, i, i + 1);
                return new TimeRange(start, midnight, "yesterday");
            } else if (x.equals("this") && i + 1 < w.length && w[i + 1].equals("week")) {
                Instant monday = today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).atStartOfDay(zone).toInstant();
                mark(used, i, i + 2);
                return new TimeRange(monday, later(now, monday), "this week");
            } else if (x.equals("since") && i + 1 < w.length && WEEKDAYS.containsKey(w[i + 1])) {
                Instant start = today.with(TemporalAdjusters.previousOrSame(WEEKDAYS.get(w[i + 1]))).atStartOfDay(zone).toInstant();
                mark(used, i, i + 2);
                return new TimeRange(start, later(now, start), "since " + w[i + 1]);
            }
        }
        return null;
    }

    /** {@code now}, or a millisecond past {@code start} when the range would otherwise be empty (at midnight). */
    private static Instant later(Instant now, Instant start) {
        return now.isAfter(start) ? now : start.plusMillis(1);
    }

    private static Duration unit(String w) {
        String s = w.endsWith("s") ? w.substring(0, w.length() - 1) : w;
        return UNITS.get(s);
    }

    private static String rolloutId(String[] w, boolean[] used) {
        for (int i = 0; i < w.length; i++) {
            if (!w[i].equals("rollout")) {
                continue;
            }
            int j = i + 1;
            if (j < w.length && (w[j].equals("number") || w[j].equals("id") || w[j].equals("#"))) {
                j++;
            }
            if (j < w.length && !used[j]) {
                String id = w[j].startsWith("#") ? w[j].substring(1) : w[j];
                if (!id.isEmpty() && id.chars().anyMatch(Character::isDigit) && id.matches("[a-z0-9-]+")) {
                    used[j] = true;
                    return id;
                }
            }
        }
        return null;
    }

    private static String modelVersion(String[] w, boolean[] used) {
        for (int i = 0; i < w.length; i++) {
            if (used[i]) {
                continue;
            }
            if (VERSION.matcher(w[i]).matches()) {
                used[i] = true;
                return w[i];
            }
            if (w[i].equals("version") && i + 1 < w.length && !used[i + 1] && w[i + 1].matches("\\d+")) {
                used[i + 1] = true;
                return w[i + 1];
            }
        }
        return null;
    }

    private String group(String[] w, boolean[] used) {
        for (int i = 0; i < w.length; i++) {
            if (used[i]) {
                continue;
            }
            int[] names;
            if (w[i].equals("group")) {
                boolean the = i >= 2 && w[i - 2].equals("the");
                names = the ? new int[] {i - 1, i + 1} : new int[] {i + 1, i - 1}; // the X group, group X
            } else if (w[i].equals("in") && i + 3 < w.length && w[i + 1].equals("the") && w[i + 3].equals("group")) {
                names = new int[] {i + 2};                        // in the X group
            } else if (w[i].equals("in")) {
                names = new int[] {i + 1};                        // in X
            } else if (w[i].equals("at") && i + 1 < w.length && !looksLikeId(w[i + 1])) {
                names = new int[] {i + 1};                        // at X (at pump-07 is a device)
            } else {
                continue;
            }
            for (int name : names) {
                if (name >= 0 && name < w.length && !used[name] && isGroupName(w[name])) {
                    used[name] = true;
                    return w[name];
                }
            }
        }
        return null;
    }

    private boolean isGroupName(String x) {
        if (knownGroups != null) {
            return knownGroups.contains(x);
        }
        if (NOT_A_NAME.contains(x) || WEEKDAYS.containsKey(x) || !x.matches("[a-z][a-z0-9-]*")) {
            return false;
        }
        return knownDevices == null || !knownDevices.contains(x);
    }

    private static void mark(boolean[] used, int from, int to) {
        for (int i = from; i < to; i++) {
            used[i] = true;
        }
    }

    private static String join(String[] w, int from, int to) {
        return String.join(" ", java.util.Arrays.copyOfRange(w, from, to));
    }
}
