package io.nanofleet.server.api;

import io.nanofleet.server.api.auth.Role;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Mounts a route behind the role check and records it in the OpenAPI document, in one call, so a
 * route cannot be added without being documented and guarded. Paths use Vert.x syntax ({@code :id}).
 */
public final class ApiRoutes {
    private final Router router;
    private final AuthGuard guard;
    private final OpenApiDocument openApi;

    ApiRoutes(Router router, AuthGuard guard, OpenApiDocument openApi) {
        this.router = router;
        this.guard = guard;
        this.openApi = openApi;
    }

    public OpenApiDocument.Operation get(String path, Role role, String summary, Handler<RoutingContext> handler) {
        return add(HttpMethod.GET, path, role, summary, handler);
    }

    public OpenApiDocument.Operation post(String path, Role role, String summary, Handler<RoutingContext> handler) {
        return add(HttpMethod.POST, path, role, summary, handler);
    }

    public OpenApiDocument.Operation put(String path, Role role, String summary, Handler<RoutingContext> handler) {
        return add(HttpMethod.PUT, path, role, summary, handler);
    }

    public OpenApiDocument.Operation delete(String path, Role role, String summary, Handler<RoutingContext> handler) {
        return add(HttpMethod.DELETE, path, role, summary, handler);
    }

    /** A route with no token check: only for enrollment (the one-time token is the credential) and public metadata. */
    public OpenApiDocument.Operation open(HttpMethod method, String path, String summary, Handler<RoutingContext> handler) {
        router.route(method, path).handler(handler);
        return openApi.add(method, path, null, summary);
    }

    private OpenApiDocument.Operation add(HttpMethod method, String path, Role role, String summary,
                                          Handler<RoutingContext> handler) {
        router.route(method, path).handler(guard.require(role)).handler(handler);
        return openApi.add(method, path, role, summary);
    }
}
