package io.nanofleet.cli.operator.rollout;

import io.nanofleet.cli.operator.ApiClient;
import io.nanofleet.cli.operator.Env;

/** Chooses how {@code rollouts watch} follows a rollout. */
public final class RolloutFeeds {
    private RolloutFeeds() {
    }

    /**
     * Polling today. When the server has {@code GET /api/v1/stream}, return a stream-backed feed here (falling
     * back to polling when the server answers 404 for the stream), and nothing else changes.
     */
    public static RolloutFeed open(ApiClient api, Env env, String id, long intervalMs) {
        return new PollingRolloutFeed(api, env, id, intervalMs);
    }
}
