package io.nanofleet.server.api;

import io.vertx.ext.web.Router;

/**
 * A group of REST routes the server mounts at start-up. Each feature (devices, identity, commands,
 * models, rollouts...) is one module, so adding a feature is one line in {@code FleetServer}.
 *
 * <p>Mount routes through {@link ApiContext#routes(Router)}: that applies the bearer-token role check,
 * and records the route in the OpenAPI document served at {@code /api/v1/openapi.json} (a test fails
 * if any /api/v1 route is missing from it).
 */
public interface RouteModule {
    void mount(Router router, ApiContext ctx);
}
