package io.nanofleet.server.api;

import io.nanofleet.protocols.DeviceId;
import io.nanofleet.protocols.v1.Command;
import io.nanofleet.server.StartupException;
import io.nanofleet.server.ingest.DeviceGateway;
import io.nanofleet.server.store.BatchWriter;
import io.nanofleet.server.store.CommandRow;
import io.nanofleet.server.store.DeviceRow;
import io.nanofleet.server.store.EventRow;
import io.nanofleet.server.store.FleetStore;
import io.nanofleet.server.store.SummaryRow;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The HTTP side: JSON REST API under /api/v1, /health, and the dashboard's static page. Database
 * reads run on Vert.x worker threads; the event loop only routes and serialises.
 */
public final class ApiServer implements AutoCloseable {
    static final long MAX_BODY_BYTES = 64 * 1024;
    static final long DEFAULT_COMMAND_TTL_MS = 60_000;

    private final Vertx vertx;
    private final FleetStore store;
    private final BatchWriter writer;
    private final DeviceGateway gateway;
    private final LongSupplier clock;
    private final String brokerMode;
    private HttpServer server;

    public ApiServer(Vertx vertx, FleetStore store, BatchWriter writer, DeviceGateway gateway, LongSupplier clock,
                     String brokerMode) {
        this.vertx = vertx;
        this.store = store;
        this.writer = writer;
        this.gateway = gateway;
        this.clock = clock;
        this.brokerMode = brokerMode;
    }

    Router router() {
        Router r = Router.router(vertx);
        r.route().handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES));
        r.get("/health").handler(this::health);
        r.get("/api/v1/devices").handler(ctx -> blocking(ctx, this::devicesJson));
        r.get("/api/v1/devices/:id").handler(ctx -> withDevice(ctx, id -> blocking(ctx, () -> deviceJson(id))));
        r.get("/api/v1/devices/:id/summaries").handler(ctx -> withDevice(ctx, id -> blocking(ctx, () -> summariesJson(id))));
        r.get("/api/v1/devices/:id/events").handler(ctx -> withDevice(ctx, id -> blocking(ctx, () -> eventsJson(id))));
        r.post("/api/v1/devices/:id/commands").handler(ctx -> withDevice(ctx, id -> sendCommand(ctx, id)));
        r.get("/api/v1/commands/:id").handler(ctx -> blocking(ctx, () -> commandJson(ctx.pathParam("id"))));
        r.route("/*").handler(StaticHandler.create("webroot"));
        return r;
    }

    /** Starts listening; returns the bound port (useful with port 0). */
    public int start(String host, int port) {
        try {
            server = vertx.createHttpServer().requestHandler(router()).listen(port, host)
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            return server.actualPort();
        } catch (Exception e) {
            throw new StartupException("the HTTP API did not start on " + host + ":" + port + ": " + e.getMessage()
                    + ". Choose another --http-port.", e);
        }
    }

    private void health(RoutingContext ctx) {
        boolean mqtt = gateway.isConnected();
        JsonObject body = new JsonObject()
                .put("status", mqtt ? "UP" : "DEGRADED")
                .put("broker", brokerMode)
                .put("mqttConnected", mqtt)
                .put("storeQueueDepth", writer.queueDepth())
                .put("stored", writer.writtenCount())
                .put("storeFailures", writer.failedCount())
                .put("accepted", gateway.counters().acceptedCount())
                .put("rejected", gateway.counters().rejectedTotal());
        ctx.response().setStatusCode(mqtt ? 200 : 503);
        ctx.json(body);
    }

    private void withDevice(RoutingContext ctx, java.util.function.Consumer<String> then) {
        String id = ctx.pathParam("id");
        String problem = DeviceId.problem(id);
        if (problem != null) {
            error(ctx, 400, problem);
            return;
        }
        then.accept(id);
    }

    /** Runs a database call on a worker; null means 404. */
    private void blocking(RoutingContext ctx, Callable<Object> call) {
        vertx.executeBlocking(call, false).onComplete(ar -> {
            if (ar.failed()) {
                error(ctx, 500, "database error: " + ar.cause().getMessage());
            } else if (ar.result() == null) {
                error(ctx, 404, "not found");
            } else {
                ctx.json(ar.result());
            }
        });
    }

    static void error(RoutingContext ctx, int status, String message) {
        ctx.response().setStatusCode(status);
        ctx.json(new JsonObject().put("error", message));
    }

    private JsonObject devicesJson() throws Exception {
        List<DeviceRow> devices = store.devices();
        JsonArray arr = new JsonArray();
        devices.forEach(d -> arr.add(device(d)));
        long online = devices.stream().filter(DeviceRow::online).count();
        return new JsonObject().put("count", devices.size()).put("online", online).put("devices", arr);
    }

    private Object deviceJson(String id) throws Exception {
        return store.device(id).map(ApiServer::device).orElse(null);
    }

    static JsonObject device(DeviceRow d) {
        return new JsonObject().put("deviceId", d.deviceId()).put("online", d.online())
                .put("firstSeenMs", d.firstSeenMs()).put("lastSeenMs", d.lastSeenMs())
                .put("agentVersion", d.agentVersion()).put("hardwareId", d.hardwareId())
                .put("channels", new JsonArray(d.channels()));
    }

    private JsonObject summariesJson(String id) throws Exception {
        JsonArray arr = new JsonArray();
        for (SummaryRow s : store.summaries(id, 200)) {
            arr.add(new JsonObject().put("sequence", s.sequence()).put("channel", s.channel())
                    .put("windowStartMs", s.windowStartMs()).put("windowEndMs", s.windowEndMs()).put("count", s.count())
                    .put("min", s.min()).put("max", s.max()).put("mean", s.mean()).put("last", s.last()));
        }
        return new JsonObject().put("deviceId", id).put("summaries", arr);
    }

    private JsonObject eventsJson(String id) throws Exception {
        JsonArray arr = new JsonArray();
        for (EventRow e : store.events(id, 100)) {
            arr.add(new JsonObject().put("eventId", e.eventId()).put("sequence", e.sequence()).put("type", e.type())
                    .put("timestampMs", e.timestampMs()).put("bytes", e.payload().length));
        }
        return new JsonObject().put("deviceId", id).put("events", arr);
    }

    private Object commandJson(String commandId) throws Exception {
        return store.command(commandId).map(ApiServer::command).orElse(null);
    }

    static JsonObject command(CommandRow c) {
        return new JsonObject().put("commandId", c.commandId()).put("deviceId", c.deviceId()).put("action", c.action())
                .put("issuedMs", c.issuedMs()).put("expiresMs", c.expiresMs()).put("status", c.status())
                .put("resultMessage", c.resultMessage()).put("resultMs", c.resultMs());
    }

    private void sendCommand(RoutingContext ctx, String deviceId) {
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (DecodeException e) {
            error(ctx, 400, "body must be a JSON object like {\"action\":\"ping\"}: " + e.getMessage());
            return;
        }
        if (body == null || body.getString("action", "").isBlank()) {
            error(ctx, 400, "body must be a JSON object with an \"action\", e.g. {\"action\":\"ping\"}");
            return;
        }
        long ttl;
        try {
            ttl = body.getLong("ttlMs", DEFAULT_COMMAND_TTL_MS);
        } catch (ClassCastException e) {
            error(ctx, 400, "ttlMs must be a number of milliseconds");
            return;
        }
        if (ttl <= 0) {
            error(ctx, 400, "ttlMs must be > 0");
            return;
        }
        long now = clock.getAsLong();
        Command.Builder cmd = Command.newBuilder().setDeviceId(deviceId).setCommandId(UUID.randomUUID().toString())
                .setAction(body.getString("action")).setIssuedAtMs(now).setExpiresAtMs(now + ttl);
        JsonObject args = body.getJsonObject("arguments", new JsonObject());
        args.forEach(e -> cmd.putArguments(e.getKey(), String.valueOf(e.getValue())));
        Command command = cmd.build();
        vertx.executeBlocking(() -> {
            store.insertCommand(new CommandRow(command.getCommandId(), deviceId, command.getAction(), now,
                    command.getExpiresAtMs(), "SENT", null, null));
            gateway.send(command);
            return command(store.command(command.getCommandId()).orElseThrow());
        }, false).onComplete(ar -> {
            if (ar.failed()) {
                error(ctx, 502, "command not sent: " + ar.cause().getMessage());
            } else {
                ctx.response().setStatusCode(202);
                ctx.json(ar.result());
            }
        });
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
