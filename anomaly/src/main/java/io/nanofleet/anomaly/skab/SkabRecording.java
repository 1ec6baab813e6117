package io.nanofleet.anomaly.skab;

import java.util.List;
import java.util.Objects;

/**
 * One SKAB experiment held in memory: timestamps, the sensor channels per row and, when the file has them,
 * the per-row {@code anomaly} labels. Labels are kept apart from the samples so that scoring code can be
 * handed samples without labels.
 */
public final class SkabRecording {
    private final String name;
    private final List<String> channels;
    private final String[] datetimes;
    private final float[][] samples;
    private final byte[] labels;

    public SkabRecording(String name, List<String> channels, String[] datetimes, float[][] samples, byte[] labels) {
        this.name = Objects.requireNonNull(name);
        this.channels = List.copyOf(channels);
        this.datetimes = datetimes;
        this.samples = samples;
        this.labels = labels;
        if (datetimes.length != samples.length || (labels != null && labels.length != samples.length)) {
            throw new IllegalArgumentException("row counts differ in " + name);
        }
    }

    /** Path relative to the folder it was found in, e.g. {@code valve1/3.csv}. */
    public String name() {
        return name;
    }

    public List<String> channels() {
        return channels;
    }

    public int rows() {
        return samples.length;
    }

    public String datetime(int row) {
        return datetimes[row];
    }

    /** The row's sensor values (shared, do not modify). */
    public float[] sample(int row) {
        return samples[row];
    }

    public boolean hasLabels() {
        return labels != null;
    }

    /** 1 when the row is labelled anomalous; only the evaluator reads this, after the row was scored. */
    public int label(int row) {
        if (labels == null) {
            throw new IllegalStateException(name + " has no anomaly column");
        }
        return labels[row];
    }

    /** Rows [from, to) as a new array of shared row arrays. */
    public float[][] rows(int from, int to) {
        float[][] out = new float[to - from][];
        System.arraycopy(samples, from, out, 0, to - from);
        return out;
    }
}
