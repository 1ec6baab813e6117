package io.nanofleet.server.commands;

import io.nanofleet.server.api.ApiContext;
import io.nanofleet.server.api.ApiException;
import io.nanofleet.server.api.ApiRoutes;
import io.nanofleet.server.api.DeviceRoutes;
import io.nanofleet.server.api.RouteModule;
import io.nanofleet.server.api.auth.Principal;
import io.nanofleet.server.api.auth.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** Commands to a device, a group or a tag query, and their tracked results. */
public final class CommandRoutes implements RouteModule {
    static final long DEFAULT_COMMAND_TTL_MS = 60_000;
    static final long MAX_COMMAND_TTL_MS = 7L * 86_400_000;
    static final String EXAMPLE = "{\"action\":\"ping\",\"arguments\":{},\"ttlMs\":60000}";

    private final CommandService commands;

    public CommandRoutes(CommandService commands) {
        this.commands = commands;
    }

    @Override
    public void mount(Router router, ApiContext ctx) {
        ApiRoutes r = ctx.routes(router);
        r.post("/api/v1/devices/:id/commands", Role.OPERATOR, "Send a signed command to one device",
                rc -> DeviceRoutes.withDevice(rc, id -> send(ctx, commands, rc, new CommandService.Target(id, null, null))))
                .body(new JsonObject(EXAMPLE)).response(202, "sent; poll the command for its result")
                .response(400, "bad body").response(404, "unknown device").response(409, "the device is revoked");
        r.post("/api/v1/commands", Role.OPERATOR, "Send a command to a device, a group or every device with a tag", rc -> {
            JsonObject body = ApiContext.jsonBody(rc, "{\"target\":{\"group\":\"plant-a\"},\"action\":\"ping\"}");
            if (body == null) {
                return;
            }
            if (!(body.getValue("target") instanceof JsonObject t) || t.size() != 1
                    || !(t.getValue(t.fieldNames().iterator().next()) instanceof String v)
                    || !List.of("deviceId", "group", "tag").contains(t.fieldNames().iterator().next())) {
                ApiContext.error(rc, 400, "target must be exactly one of {\"deviceId\":..}, {\"group\":..} or {\"tag\":..}");
                return;
            }
            String kind = t.fieldNames().iterator().next();
            send(ctx, commands, rc, new CommandService.Target(kind.equals("deviceId") ? v : null, kind.equals("group") ? v : null,
                    kind.equals("tag") ? v : null));
        }).body(new JsonObject().put("target", new JsonObject().put("tag", "pump")).put("action", "ping").put("ttlMs", 60000))
                .response(202, "sent: {batchId, count, commands:[...]}").response(404, "no device matches");
        r.get("/api/v1/commands/:id", Role.VIEWER, "A command and its result status",
                rc -> ctx.blocking(rc, edge(() -> commands.get(rc.pathParam("id")).map(CommandService.Tracked::toJson).orElse(null))))
                .response(404, "unknown command");
        r.get("/api/v1/command-batches/:id", Role.VIEWER, "Every command of a group/tag send, with a status count",
                rc -> ctx.blocking(rc, edge(() -> {
                    List<CommandService.Tracked> l = commands.byBatch(rc.pathParam("id"));
                    if (l.isEmpty()) {
                        return null;
                    }
                    JsonObject counts = new JsonObject();
                    JsonArray arr = new JsonArray();
                    for (CommandService.Tracked t : l) {
                        counts.put(t.status(), counts.getInteger(t.status(), 0) + 1);
                        arr.add(t.toJson());
                    }
                    return new JsonObject().put("batchId", rc.pathParam("id")).put("count", l.size()).put("statuses", counts)
                            .put("commands", arr);
                }))).response(404, "unknown batch");
        r.get("/api/v1/devices/:id/commands", Role.VIEWER, "Latest commands of a device",
                rc -> DeviceRoutes.withDevice(rc, id -> ctx.blocking(rc, edge(() -> {
                    JsonArray arr = new JsonArray();
                    commands.byDevice(id, 100).forEach(t -> arr.add(t.toJson()));
                    return new JsonObject().put("deviceId", id).put("commands", arr);
                }))));
    }

    private void send(ApiContext ctx, CommandService commands, RoutingContext rc, CommandService.Target target) {
        JsonObject body = ApiContext.jsonBody(rc, EXAMPLE);
        if (body == null) {
            return;
        }
        if (!(body.getValue("action") instanceof String action) || action.isBlank() || action.length() > 64) {
            ApiContext.error(rc, 400, "body needs an \"action\" of 1-64 characters, e.g. " + EXAMPLE);
            return;
        }
        long ttl;
        if (body.getValue("ttlMs") == null) {
            ttl = DEFAULT_COMMAND_TTL_MS;
        } else if (body.getValue("ttlMs") instanceof Number n && n.longValue() > 0 && n.longValue() <= MAX_COMMAND_TTL_MS) {
            ttl = n.longValue();
        } else {
            ApiContext.error(rc, 400, "ttlMs must be a number of milliseconds between 1 and " + MAX_COMMAND_TTL_MS);
            return;
        }
        Map<String, String> args = new LinkedHashMap<>();
        Object a = body.getValue("arguments");
        if (a instanceof JsonObject o) {
            o.forEach(e -> args.put(e.getKey(), String.valueOf(e.getValue())));
        } else if (a != null) {
            ApiContext.error(rc, 400, "arguments must be a JSON object of strings");
            return;
        }
        Principal who = ApiContext.principal(rc);
        ctx.blocking(rc, 202, edge(() -> {
            List<CommandService.Tracked> sent = commands.send(target, action, args, ttl, who.name());
            ctx.audit().record(who, "command.send", target.describe(), new JsonObject().put("action", action)
                    .put("count", sent.size()).put("batchId", sent.get(0).batchId())
                    .put("commandId", sent.size() == 1 ? sent.get(0).commandId() : null).encode());
            if (target.deviceId() != null) {
                return sent.get(0).toJson();
            }
            JsonArray arr = new JsonArray();
            sent.forEach(t -> arr.add(t.toJson()));
            return new JsonObject().put("batchId", sent.get(0).batchId()).put("count", sent.size()).put("commands", arr);
        }));
    }

    /** Domain refusals answered with their status and message, anything unexpected as an internal error. */
    private static Callable<Object> edge(Callable<Object> call) {
        return ApiException.answering(CommandException.class, e -> status(e.reason()), call);
    }

    /** The one place a {@link CommandException} becomes HTTP. */
    static int status(CommandException.Reason reason) {
        return switch (reason) {
            case UNKNOWN_DEVICE, NO_MATCHING_DEVICE -> 404;
            case TOO_MANY_DEVICES -> 400;
            case REVOKED_DEVICE -> 409;
        };
    }
}
