package io.nanofleet.llm;

import java.time.Duration;

/** Waits between retries. Tests pass one that records the waits and returns at once. */
@FunctionalInterface
public interface Sleeper {
    /** The real one: {@link Thread#sleep}. */
    Sleeper SYSTEM = d -> {
        if (!d.isNegative() && !d.isZero()) {
            Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
        }
    };

    void sleep(Duration duration) throws InterruptedException;
}
