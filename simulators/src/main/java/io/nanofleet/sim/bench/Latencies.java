package io.nanofleet.sim.bench;

import java.util.Arrays;

/** Latency samples in milliseconds, growable, with percentiles. Single writer. */
final class Latencies {
    private long[] v = new long[1 << 16];
    private int n;

    void add(long ms) {
        if (n == v.length) {
            v = Arrays.copyOf(v, n * 2);
        }
        v[n++] = ms;
    }

    int count() {
        return n;
    }

    long percentile(double p) {
        if (n == 0) {
            return -1;
        }
        long[] s = Arrays.copyOf(v, n);
        Arrays.sort(s);
        return s[(int) Math.min(n - 1, Math.ceil(p / 100 * n) - 1)];
    }
}
