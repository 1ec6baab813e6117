package io.nanofleet.agent.telemetry;

import io.nanofleet.protocols.v1.ChannelSummary;
import io.nanofleet.protocols.v1.TelemetryBatch;
import java.util.Arrays;
import java.util.List;

/**
 * Accumulates samples into per-channel count/min/max/mean/last between two uplinks. Sending these
 * instead of every sample is the point of edge processing. Not thread-safe: one sampling thread.
 */
public final class SummaryWindow {
    private final List<String> channels;
    private final double[] min;
    private final double[] max;
    private final double[] sum;
    private final double[] last;
    private long count;
    private long startMs = -1;
    private long endMs;

    public SummaryWindow(List<String> channels) {
        this.channels = List.copyOf(channels);
        int n = channels.size();
        min = new double[n];
        max = new double[n];
        sum = new double[n];
        last = new double[n];
        reset();
    }

    public void add(long timestampMs, double[] sample) {
        if (startMs < 0) {
            startMs = timestampMs;
        }
        endMs = timestampMs;
        for (int c = 0; c < sample.length; c++) {
            double v = sample[c];
            if (v < min[c]) {
                min[c] = v;
            }
            if (v > max[c]) {
                max[c] = v;
            }
            sum[c] += v;
            last[c] = v;
        }
        count++;
    }

    public long count() {
        return count;
    }

    /** Builds the batch for what was accumulated and starts a new window; null if nothing was added. */
    public TelemetryBatch drain(String deviceId, long sequence) {
        if (count == 0) {
            return null;
        }
        TelemetryBatch.Builder b = TelemetryBatch.newBuilder()
                .setDeviceId(deviceId).setSequence(sequence).setWindowStartMs(startMs).setWindowEndMs(endMs);
        for (int c = 0; c < channels.size(); c++) {
            b.addChannels(ChannelSummary.newBuilder().setChannel(channels.get(c)).setCount(count)
                    .setMin(min[c]).setMax(max[c]).setMean(sum[c] / count).setLast(last[c]));
        }
        reset();
        return b.build();
    }

    private void reset() {
        Arrays.fill(min, Double.POSITIVE_INFINITY);
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
        Arrays.fill(sum, 0);
        Arrays.fill(last, 0);
        count = 0;
        startMs = -1;
        endMs = 0;
    }
}
