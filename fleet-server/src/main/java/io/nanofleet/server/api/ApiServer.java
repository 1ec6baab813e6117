package io.nanofleet.server.api;

import io.nanofleet.server.StartupException;
import io.nanofleet.server.api.auth.Role;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP side: mounts every {@link RouteModule} under one router, plus /health, the OpenAPI document
 * and the dashboard's static page. Database work runs on Vert.x worker threads; the event loop only
 * routes and serialises.
 */
public final class ApiServer implements AutoCloseable {
    public static final long MAX_BODY_BYTES = 64 * 1024;
    /** Routes under this path handle their own (larger) bodies. */
    public static final String LARGE_BODY_PATH = "/api/v1/models";

    private final Vertx vertx;
    private final ApiContext ctx;
    private final List<RouteModule> modules;
    private final Handler<RoutingContext> health;
    private final Path uploads;
    private Router router;
    private HttpServer server;

    /** @param uploads where request bodies' file uploads go (the data directory, never the working directory) */
    public ApiServer(Vertx vertx, ApiContext ctx, List<RouteModule> modules, Path uploads, Handler<RoutingContext> health) {
        this.vertx = vertx;
        this.uploads = uploads;
        this.ctx = ctx;
        this.modules = List.copyOf(modules);
        this.health = health;
    }

    /** Builds the router once; public so tests can compare mounted routes with the OpenAPI document. */
    public synchronized Router router() {
        if (router != null) {
            return router;
        }
        Router r = Router.router(vertx);
        // Model uploads (/api/v1/models) are larger than any JSON body: that route reads its own body, after its
        // token check (ApiRoutes.upload).
        BodyHandler smallBodies = BodyHandler.create(uploads.toString()).setBodyLimit(MAX_BODY_BYTES);
        r.route().handler(rc -> {
            if (rc.request().path().startsWith(LARGE_BODY_PATH)) {
                rc.next();
            } else {
                smallBodies.handle(rc);
            }
        });
        ApiRoutes routes = ctx.routes(r);
        routes.open(HttpMethod.GET, "/health", "Broker connection, store queue, accepted/rejected counts (503 when the broker is unreachable)",
                health);
        for (RouteModule m : modules) {
            m.mount(r, ctx);
        }
        routes.get("/api/v1/openapi.json", Role.VIEWER, "This OpenAPI 3 document",
                rc -> rc.json(ctx.openApi().toJson()));
        // The dashboard page must be re-checked on every load (a new release changes it under the same name);
        // StaticHandler's default (public, immutable, a day) is only right for hashed asset names.
        r.route("/*").handler(rc -> {
            String path = rc.normalizedPath();
            if (path.endsWith("/") || path.endsWith(".html")) {
                rc.addHeadersEndHandler(v -> rc.response().headers().set("Cache-Control", "no-cache"));
            }
            rc.next();
        }).handler(StaticHandler.create("webroot"));
        // A handler that threw: its ApiException's status and message, else an internal error naming a log
        // reference (never the exception's message or class). Failures with a client status (e.g. a body over
        // the limit) keep Vert.x's answer.
        r.route().failureHandler(rc -> {
            if (rc.failure() == null || (rc.statusCode() >= 400 && rc.statusCode() < 500)) {
                rc.next();
                return;
            }
            ApiException e = ApiException.of(rc.failure());
            ApiContext.error(rc, e.status(), e.getMessage());
        });
        router = r;
        return r;
    }

    /** Starts listening; returns the bound port (useful with port 0). */
    public int start(String host, int port) {
        return start(host, port, null);
    }

    /** With {@code tls} non-null, serves HTTPS with that key and certificate. */
    public int start(String host, int port, io.vertx.core.net.KeyCertOptions tls) {
        // No h2c upgrade (HTTP/2 over cleartext): Vert.x reads a whole upgrade request's body into memory before
        // any handler runs, which would defeat the token check before an upload's body (ApiRoutes.upload).
        io.vertx.core.http.HttpServerOptions options = new io.vertx.core.http.HttpServerOptions().setHttp2ClearTextEnabled(false);
        if (tls != null) {
            options.setSsl(true).setKeyCertOptions(tls);
        }
        try {
            server = vertx.createHttpServer(options).requestHandler(router()).listen(port, host)
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            return server.actualPort();
        } catch (Exception e) {
            throw new StartupException("the HTTP API did not start on " + host + ":" + port + ": " + e.getMessage()
                    + ". Choose another --http-port.", e);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            try {
                server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // shutting down
            }
        }
    }
}
