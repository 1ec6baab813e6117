package io.nanofleet.cli.operator.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanofleet.cli.operator.ApiClient;
import io.nanofleet.cli.operator.Env;
import java.time.Duration;

/** {@link RolloutFeed} over the REST API: {@code GET /api/v1/rollouts/{id}} every interval. */
public final class PollingRolloutFeed implements RolloutFeed {
    private final ApiClient api;
    private final Env env;
    private final String path;
    private final ApiClient.NotFound notFound;
    private final long intervalMs;
    private boolean first = true;

    public PollingRolloutFeed(ApiClient api, Env env, String id, long intervalMs) {
        this.api = api;
        this.env = env;
        this.path = "/api/v1/rollouts/" + ApiClient.seg(id);
        this.notFound = new ApiClient.NotFound("no rollout " + id, "nanofleet rollouts list shows them");
        this.intervalMs = intervalMs;
    }

    @Override
    public JsonNode next(long maxWaitMs) throws InterruptedException {
        if (!first) {
            env.sleep(Duration.ofMillis(Math.max(1, Math.min(intervalMs, maxWaitMs))));
        }
        first = false;
        return api.get(path, notFound);
    }
}
