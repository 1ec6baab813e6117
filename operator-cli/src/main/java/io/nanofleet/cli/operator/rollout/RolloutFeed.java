package io.nanofleet.cli.operator.rollout;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Where {@code rollouts watch} gets a rollout's successive states: each call returns the rollout as
 * {@code GET /api/v1/rollouts/{id}} shows it (waves, their state and health figures, every step).
 *
 * <p>This is the seam for the server's event stream: today {@link PollingRolloutFeed} reads the REST API
 * once per interval; when {@code GET /api/v1/stream} (Server-Sent Events) exists, a stream-backed feed
 * returns as soon as an event for this rollout arrives (and may still answer after {@code maxWaitMs} so that
 * time-based progress is redrawn). The watch loop and the views stay as they are; {@link RolloutFeeds#open}
 * is the one place that chooses the feed.
 */
public interface RolloutFeed extends AutoCloseable {
    /**
     * The rollout's current state. The first call answers at once; later calls wait until it may have changed,
     * at most about {@code maxWaitMs}. Failures are {@link io.nanofleet.cli.operator.CliException}s.
     */
    JsonNode next(long maxWaitMs) throws InterruptedException;

    @Override
    default void close() {
    }
}
