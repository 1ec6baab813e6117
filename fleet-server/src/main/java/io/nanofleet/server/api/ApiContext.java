package io.nanofleet.server.api;

import io.nanofleet.server.api.auth.ApiTokens;
import io.nanofleet.server.api.auth.Principal;
import io.nanofleet.server.audit.AuditLog;
import io.nanofleet.server.store.FleetStore;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;

/**
 * What every {@link RouteModule} gets to build its routes: the role-checked route registrar, the store,
 * the audit log, the API tokens and the clock. Anything else a module needs comes through its constructor.
 */
public final class ApiContext {
    static final String PRINCIPAL_KEY = "nanofleet.principal";

    private final Vertx vertx;
    private final FleetStore store;
    private final AuditLog audit;
    private final ApiTokens tokens;
    private final LongSupplier clock;
    private final OpenApiDocument openApi;
    private final AuthGuard guard;

    public ApiContext(Vertx vertx, FleetStore store, AuditLog audit, ApiTokens tokens, LongSupplier clock, AuthGuard.Rejects rejects) {
        this.vertx = vertx;
        this.store = store;
        this.audit = audit;
        this.tokens = tokens;
        this.clock = clock;
        this.openApi = new OpenApiDocument();
        this.guard = new AuthGuard(vertx, tokens, rejects);
    }

    /** Registers routes on {@code router} with role checks and OpenAPI entries. */
    public ApiRoutes routes(Router router) {
        return new ApiRoutes(router, guard, openApi);
    }

    public Vertx vertx() {
        return vertx;
    }

    public FleetStore store() {
        return store;
    }

    public AuditLog audit() {
        return audit;
    }

    public ApiTokens tokens() {
        return tokens;
    }

    public LongSupplier clock() {
        return clock;
    }

    public OpenApiDocument openApi() {
        return openApi;
    }

    /** The caller of a route mounted through {@link ApiRoutes}. */
    public static Principal principal(RoutingContext rc) {
        Principal p = rc.get(PRINCIPAL_KEY);
        return p == null ? Principal.ANONYMOUS : p;
    }

    /** Runs a blocking call on a worker and answers its result as JSON; a null result answers 404. */
    public void blocking(RoutingContext rc, Callable<Object> call) {
        blocking(rc, 200, call);
    }

    public void blocking(RoutingContext rc, int okStatus, Callable<Object> call) {
        vertx.executeBlocking(call, false).onComplete(ar -> {
            if (ar.failed()) {
                // Unexpected failures are logged with a reference; the client never sees their message.
                ApiException e = ApiException.of(ar.cause());
                error(rc, e.status(), e.getMessage());
            } else if (ar.result() == null) {
                error(rc, 404, "not found");
            } else {
                rc.response().setStatusCode(okStatus);
                rc.json(ar.result());
            }
        });
    }

    /**
     * The answer to this request closes the connection, so the rest of a request body that was not read
     * (a refused upload) is never read. (The API speaks HTTP/1.1 only: see {@link ApiServer#start}.)
     */
    public static void closeAfter(RoutingContext rc) {
        if (!rc.response().headWritten()) {
            rc.response().putHeader("connection", "close");
        }
        rc.addEndHandler(ar -> rc.request().connection().close());
    }

    public static void error(RoutingContext rc, int status, String message) {
        if (rc.response().ended()) {
            return;
        }
        rc.response().setStatusCode(status);
        rc.json(new JsonObject().put("error", message));
    }

    /**
     * The request body as a JSON object; answers 415 when it is sent as another media type (a form), 400 when
     * it is not a JSON object, and returns null then.
     */
    public static JsonObject jsonBody(RoutingContext rc, String example) {
        String type = rc.request().getHeader("Content-Type");
        if (type != null && !type.trim().toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            // curl -d without -H sends a form (application/x-www-form-urlencoded): say so instead of guessing.
            error(rc, 415, "send Content-Type: application/json (got " + type + "); with curl: -H 'Content-Type: application/json'");
            return null;
        }
        try {
            JsonObject body = rc.body().asJsonObject();
            if (body != null) {
                return body;
            }
        } catch (DecodeException | ClassCastException e) {
            error(rc, 400, "body must be a JSON object like " + example + ": " + e.getMessage());
            return null;
        }
        error(rc, 400, "body must be a JSON object like " + example);
        return null;
    }
}
