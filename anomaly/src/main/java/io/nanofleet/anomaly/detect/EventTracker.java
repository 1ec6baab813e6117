package io.nanofleet.anomaly.detect;

/**
 * Turns the per-sample verdicts into anomaly events: anomalous samples separated by fewer than {@code mergeGap}
 * normal ones form one event (so a flickering score near the threshold is one event for the operator, not
 * dozens), explained by the channels whose contributions summed over the event are largest. The per-sample
 * verdicts themselves are not changed. Allocates only when an event closes.
 */
public final class EventTracker {
    /** Samples [start, end) of one event, its top channels (largest summed contribution first) and peak score. */
    public record Event(long start, long end, int[] topChannels, double peakScore) {
        public long length() {
            return end - start;
        }
    }

    private final double[] sums;
    private final int top;
    private final int mergeGap;
    private long index;
    private long start = -1;
    private long lastAnomalous;
    private double peak;

    /**
     * @param topChannels how many channels each event names
     * @param mergeGap    an event ends after this many consecutive normal samples (1 = at the first one)
     */
    public EventTracker(int channels, int topChannels, int mergeGap) {
        if (mergeGap < 1) {
            throw new IllegalArgumentException("mergeGap must be >= 1, got " + mergeGap);
        }
        this.sums = new double[channels];
        this.top = Math.min(topChannels, channels);
        this.mergeGap = mergeGap;
    }

    /** Feeds the next sample's result; returns the event that just ended, or null. */
    public Event accept(DetectionResult r) {
        Event closed = null;
        if (r.anomalous()) {
            if (start < 0) {
                start = index;
                peak = 0;
                java.util.Arrays.fill(sums, 0);
            }
            for (int c = 0; c < sums.length; c++) {
                sums[c] += r.contribution(c);
            }
            peak = Math.max(peak, r.score());
            lastAnomalous = index;
        } else if (start >= 0 && index - lastAnomalous >= mergeGap) {
            closed = close(lastAnomalous + 1);
        }
        index++;
        return closed;
    }

    /** Ends the stream: returns the still-open event, or null. */
    public Event finish() {
        return start >= 0 ? close(lastAnomalous + 1) : null;
    }

    private Event close(long end) {
        int[] best = new int[top];
        boolean[] used = new boolean[sums.length];
        for (int i = 0; i < top; i++) {
            int b = -1;
            for (int c = 0; c < sums.length; c++) {
                if (!used[c] && (b < 0 || sums[c] > sums[b])) {
                    b = c;
                }
            }
            used[b] = true;
            best[i] = b;
        }
        Event e = new Event(start, end, best, peak);
        start = -1;
        return e;
    }
}
