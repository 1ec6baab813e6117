package io.nanofleet.agent.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polling waits with generous timeouts: the CI machine is shared and slow. */
public final class Await {
    private Await() {}

    public static void until(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        until(timeout, what, condition, () -> "");
    }

    public static void until(Duration timeout, String what, BooleanSupplier condition, Supplier<String> detail)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what + " " + detail.get());
            }
            Thread.sleep(50);
        }
    }
}
