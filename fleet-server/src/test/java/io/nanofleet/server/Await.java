package io.nanofleet.server;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Polls a condition until it holds or the deadline passes, then fails with the last observation. */
public final class Await {
    private Await() {}

    public static <T> T until(Duration timeout, String what, Callable<T> probe, java.util.function.Predicate<T> done)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        Exception lastError = null;
        while (System.nanoTime() < deadline) {
            try {
                last = probe.call();
                if (done.test(last)) {
                    return last;
                }
            } catch (Exception e) {
                lastError = e;
            }
            Thread.sleep(100);
        }
        fail("timed out after " + timeout + " waiting for " + what + "; last value: " + last
                + (lastError != null ? "; last error: " + lastError : ""));
        return null;
    }
}
