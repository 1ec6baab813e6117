package io.nanofleet.llm;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * How long to wait before retrying the same provider: the server's {@code retry-after-ms} or {@code Retry-After}
 * when it sent one, otherwise exponential backoff with full jitter (a uniformly random wait between zero and
 * {@code initialBackoff * 2^(retry-1)}, capped at {@code maxBackoff}), so that many clients that failed together
 * do not come back together. A server that asks for more than {@code maxRetryAfter} is not waited for: the
 * failure goes to the next provider at once, because a device waiting for an answer is better served elsewhere.
 * Immutable.
 */
public final class RetryPolicy {
    private static final RetryPolicy DEFAULTS = new RetryPolicy(Duration.ofMillis(500), Duration.ofSeconds(8),
            Duration.ofSeconds(20), () -> ThreadLocalRandom.current().nextDouble());

    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration maxRetryAfter;
    private final DoubleSupplier jitter;

    private RetryPolicy(Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter, DoubleSupplier jitter) {
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.maxRetryAfter = maxRetryAfter;
        this.jitter = jitter;
    }

    /** 500 ms initial backoff, 8 s cap, server-requested waits up to 20 s, random jitter. */
    public static RetryPolicy defaults() {
        return DEFAULTS;
    }

    public RetryPolicy withInitialBackoff(Duration d) {
        return new RetryPolicy(positive(d, "initial backoff"), maxBackoff, maxRetryAfter, jitter);
    }

    public RetryPolicy withMaxBackoff(Duration d) {
        return new RetryPolicy(initialBackoff, positive(d, "max backoff"), maxRetryAfter, jitter);
    }

    /** The longest server-requested wait that is honoured; a longer one fails over instead. */
    public RetryPolicy withMaxRetryAfter(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("max retry-after cannot be negative");
        }
        return new RetryPolicy(initialBackoff, maxBackoff, d, jitter);
    }

    /** @param jitter returns a number in [0, 1); tests pass a constant */
    public RetryPolicy withJitter(DoubleSupplier jitter) {
        return new RetryPolicy(initialBackoff, maxBackoff, maxRetryAfter, Objects.requireNonNull(jitter, "jitter"));
    }

    public Duration maxRetryAfter() {
        return maxRetryAfter;
    }

    /** The wait before retry number {@code retry} (1 for the first retry) when the server did not ask for one. */
    public Duration backoff(int retry) {
        if (retry < 1) {
            throw new IllegalArgumentException("retries count from 1");
        }
        long ceiling = initialBackoff.toMillis();
        for (int i = 1; i < retry && ceiling < maxBackoff.toMillis(); i++) {
            ceiling *= 2;
        }
        ceiling = Math.min(ceiling, maxBackoff.toMillis());
        double r = jitter.getAsDouble();
        if (!(r >= 0 && r < 1)) {
            r = r >= 1 ? Math.nextDown(1.0) : 0;
        }
        return Duration.ofMillis((long) (ceiling * r));
    }

    private static Duration positive(Duration d, String what) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive");
        }
        return d;
    }

    @Override
    public String toString() {
        return "RetryPolicy[initial=" + initialBackoff.toMillis() + "ms, max=" + maxBackoff.toMillis()
                + "ms, max-retry-after=" + maxRetryAfter.toMillis() + "ms, full jitter]";
    }
}
