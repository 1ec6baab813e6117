package io.nanofleet.server.metrics;

import io.nanofleet.server.api.ApiContext;
import io.nanofleet.server.api.RouteModule;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;

/** {@code GET /metrics}: Prometheus text, without a token (scrapers usually sit on a private network). */
public final class MetricsRoutes implements RouteModule {
    private final FleetMetrics metrics;

    public MetricsRoutes(FleetMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void mount(Router router, ApiContext ctx) {
        ctx.routes(router).open(HttpMethod.GET, "/metrics", "Prometheus metrics (text exposition format)", rc ->
                // Gauges may query the database: scrape on a worker.
                ctx.vertx().executeBlocking(metrics::scrape, false).onComplete(ar -> {
                    if (ar.failed()) {
                        ApiContext.error(rc, 500, "metrics failed: " + ar.cause().getMessage());
                    } else {
                        rc.response().putHeader("Content-Type", FleetMetrics.CONTENT_TYPE)
                                .end(io.vertx.core.buffer.Buffer.buffer(ar.result()));
                    }
                })).produces("text/plain");
    }
}
