package io.nanofleet.agent.telemetry;

import io.nanofleet.protocols.v1.AnomalyEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The last few anomalies the detector reported, kept small on the device (no raw window) so an operator can ask
 * for them ("show the last five anomalies"), including those raised while alarms were muted.
 */
public final class AnomalyLog {
    /** How many anomalies are kept. */
    public static final int CAPACITY = 32;

    /** One anomaly: when, how far over the threshold, the channel that contributed most, and whether it was muted. */
    public record Entry(long timestampMs, double score, double threshold, String topChannel, boolean muted) {}

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();

    synchronized void add(long timestampMs, AnomalyEvent a, boolean muted) {
        String top = a.getContributionsCount() > 0 ? a.getContributions(0).getChannel() : "";
        if (entries.size() == CAPACITY) {
            entries.removeFirst();
        }
        entries.addLast(new Entry(timestampMs, a.getScore(), a.getThreshold(), top, muted));
    }

    /** Up to {@code max} of the newest anomalies, newest first. */
    public synchronized List<Entry> newest(int max) {
        List<Entry> out = new ArrayList<>();
        Iterator<Entry> it = entries.descendingIterator();
        while (it.hasNext() && out.size() < max) {
            out.add(it.next());
        }
        return out;
    }
}
