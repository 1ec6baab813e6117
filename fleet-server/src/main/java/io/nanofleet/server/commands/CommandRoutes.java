package io.nanofleet.server.commands;

import io.nanofleet.protocols.v1.Command;
import io.nanofleet.server.api.ApiContext;
import io.nanofleet.server.api.ApiRoutes;
import io.nanofleet.server.api.DeviceRoutes;
import io.nanofleet.server.api.RouteModule;
import io.nanofleet.server.api.auth.Role;
import io.nanofleet.server.ingest.DeviceGateway;
import io.nanofleet.server.store.CommandRow;
import io.nanofleet.server.store.FleetStore;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/** Commands to devices and their tracked results. */
public final class CommandRoutes implements RouteModule {
    static final long DEFAULT_COMMAND_TTL_MS = 60_000;

    @Override
    public void mount(Router router, ApiContext ctx) {
        ApiRoutes r = ctx.routes(router);
        FleetStore store = ctx.store();
        DeviceGateway gateway = ctx.service(DeviceGateway.class);
        r.post("/api/v1/devices/:id/commands", Role.OPERATOR, "Send a command to one device",
                rc -> DeviceRoutes.withDevice(rc, id -> send(ctx, gateway, rc, id)))
                .body(new JsonObject().put("action", "ping").put("arguments", new JsonObject()).put("ttlMs", 60000))
                .response(202, "sent; poll the command for its result").response(400, "bad body");
        r.get("/api/v1/commands/:id", Role.VIEWER, "A command and its result status",
                rc -> ctx.blocking(rc, () -> store.command(rc.pathParam("id")).map(CommandRoutes::command).orElse(null)));
    }

    static JsonObject command(CommandRow c) {
        return new JsonObject().put("commandId", c.commandId()).put("deviceId", c.deviceId()).put("action", c.action())
                .put("issuedMs", c.issuedMs()).put("expiresMs", c.expiresMs()).put("status", c.status())
                .put("resultMessage", c.resultMessage()).put("resultMs", c.resultMs());
    }

    private void send(ApiContext ctx, DeviceGateway gateway, RoutingContext rc, String deviceId) {
        JsonObject body = ApiContext.jsonBody(rc, "{\"action\":\"ping\"}");
        if (body == null) {
            return;
        }
        if (!(body.getValue("action") instanceof String action) || action.isBlank()) {
            ApiContext.error(rc, 400, "body must be a JSON object with an \"action\", e.g. {\"action\":\"ping\"}");
            return;
        }
        long ttl;
        if (body.getValue("ttlMs") == null) {
            ttl = DEFAULT_COMMAND_TTL_MS;
        } else if (body.getValue("ttlMs") instanceof Number n) {
            ttl = n.longValue();
        } else {
            ApiContext.error(rc, 400, "ttlMs must be a number of milliseconds");
            return;
        }
        if (ttl <= 0) {
            ApiContext.error(rc, 400, "ttlMs must be > 0");
            return;
        }
        long now = ctx.clock().getAsLong();
        Command.Builder cmd = Command.newBuilder().setDeviceId(deviceId).setCommandId(UUID.randomUUID().toString())
                .setAction(action).setIssuedAtMs(now).setExpiresAtMs(now + ttl);
        Object args = body.getValue("arguments");
        if (args instanceof JsonObject a) {
            a.forEach(e -> cmd.putArguments(e.getKey(), String.valueOf(e.getValue())));
        } else if (args != null) {
            ApiContext.error(rc, 400, "arguments must be a JSON object of strings");
            return;
        }
        Command command = cmd.build();
        ctx.blocking(rc, 202, () -> {
            ctx.store().insertCommand(new CommandRow(command.getCommandId(), deviceId, command.getAction(), now,
                    command.getExpiresAtMs(), "SENT", null, null));
            ctx.audit().record(ApiContext.principal(rc), "command.send", "device:" + deviceId,
                    new JsonObject().put("commandId", command.getCommandId()).put("action", action).encode());
            gateway.send(command);
            return command(ctx.store().command(command.getCommandId()).orElseThrow());
        });
    }
}
