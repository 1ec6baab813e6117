package io.nanofleet.server.api;

import io.nanofleet.server.api.auth.Role;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

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

    /**
     * A POST whose (large) body is read only after the token and role are checked: {@code body} (the route's
     * BodyHandler, with its limit) runs after the guard, and a refused caller is answered from the request
     * headers without one body byte being read. A body over the limit is answered 413 with {@code tooLarge}.
     */
    public OpenApiDocument.Operation upload(String path, Role role, String summary, BodyHandler body, String tooLarge,
                                            Handler<RoutingContext> handler) {
        // Vert.x refuses a BodyHandler after a user handler on one route (it wants bodies read first): wrapped,
        // it runs exactly where it is put, after the guard.
        router.route(HttpMethod.POST, path).handler(guard.requireBeforeBody(role)).handler(body::handle).handler(handler)
                .failureHandler(rc -> {
                    if (rc.statusCode() == 413) {
                        ApiContext.closeAfter(rc);
                        ApiContext.error(rc, 413, tooLarge);
                    } else {
                        rc.next();
                    }
                });
        return openApi.add(HttpMethod.POST, path, role, summary);
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
