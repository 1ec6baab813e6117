package io.nanofleet.agent.transport;

import java.util.SplittableRandom;

/**
 * Reconnect delays: exponential from {@code minMs}, capped at {@code maxMs}, with "full jitter" (a uniform
 * draw between half the exponential value and the value) so that a fleet that lost its broker at the same
 * moment does not come back in lock-step. {@link #reset} after a successful connection.
 */
public final class Backoff {
    private final long minMs;
    private final long maxMs;
    private final SplittableRandom random;
    private int attempt;

    public Backoff(long minMs, long maxMs, long seed) {
        if (minMs <= 0 || maxMs < minMs) {
            throw new IllegalArgumentException("need 0 < minMs <= maxMs, got " + minMs + ", " + maxMs);
        }
        this.minMs = minMs;
        this.maxMs = maxMs;
        this.random = new SplittableRandom(seed);
    }

    /** The delay before the next attempt. */
    public synchronized long nextDelayMs() {
        long ceiling = minMs << Math.min(attempt, 30);
        if (ceiling <= 0 || ceiling > maxMs) {
            ceiling = maxMs;
        }
        attempt++;
        long floor = Math.max(minMs / 2, ceiling / 2);
        return floor + random.nextLong(ceiling - floor + 1);
    }

    public synchronized void reset() {
        attempt = 0;
    }

    public synchronized int attempts() {
        return attempt;
    }
}
