package io.nanofleet.server.store;

import io.nanofleet.protocols.DaemonThreads;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downsampling of old summaries and expiry of unanswered commands every few minutes, and a reload of the
 * certificate registry every few seconds (other instances enroll and revoke too), on its own thread (never
 * the event loop). A failed run is logged and retried at the next.
 */
public final class Maintenance implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);
    public static final long PERIOD_MINUTES = 10;
    public static final long REGISTRY_RELOAD_MS = 10_000;

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("nanofleet-maintenance"));

    /**
     * @param expireCommands marks overdue commands EXPIRED, returns how many
     * @param reloadRegistry re-reads issued and revoked certificates from the database
     */
    public Maintenance(Retention retention, Callable<Integer> expireCommands, Callable<?> reloadRegistry) {
        executor.scheduleWithFixedDelay(() -> {
            try {
                reloadRegistry.call();
            } catch (Exception e) {
                LOG.warn("certificate registry reload failed (will retry): {}", e.getMessage());
            }
        }, REGISTRY_RELOAD_MS, REGISTRY_RELOAD_MS, TimeUnit.MILLISECONDS);
        executor.scheduleWithFixedDelay(() -> {
            try {
                long folded = retention.run();
                int expired = expireCommands.call();
                if (folded > 0 || expired > 0) {
                    LOG.info("maintenance: {} raw summaries folded into hourly aggregates, {} commands expired", folded, expired);
                }
            } catch (Exception e) {
                LOG.warn("maintenance failed (will retry): {}", e.getMessage());
            }
        }, 1, PERIOD_MINUTES, TimeUnit.MINUTES);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
