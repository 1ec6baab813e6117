package io.nanofleet.server.api;

import io.nanofleet.protocols.DeviceId;
import io.nanofleet.server.api.auth.Role;
import io.nanofleet.server.store.DeviceRow;
import io.nanofleet.server.store.EventRow;
import io.nanofleet.server.store.FleetStore;
import io.nanofleet.server.store.Retention;
import io.nanofleet.server.store.SummaryRow;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.PayloadException;
import io.nanofleet.protocols.v1.CommandResult;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.InstallProgress;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.Predicate;

/** Read-only device routes: the fleet list, one device, its summaries and events. */
public final class DeviceRoutes implements RouteModule {
    static final int DEFAULT_LIMIT = 200;
    static final int MAX_LIMIT = 10_000;

    private final Retention retention;
    private final Predicate<String> revoked;
    private FleetStore store;

    public DeviceRoutes(Retention retention) {
        this(retention, id -> false);
    }

    /** @param revoked whether a device's certificates are revoked (shown as {@code "status":"revoked"}) */
    public DeviceRoutes(Retention retention, Predicate<String> revoked) {
        this.retention = retention;
        this.revoked = revoked;
    }

    @Override
    public void mount(Router router, ApiContext ctx) {
        store = ctx.store();
        ApiRoutes r = ctx.routes(router);
        r.get("/api/v1/devices", Role.VIEWER, "List devices with online state and last-seen time",
                rc -> ctx.blocking(rc, () -> devicesJson(rc.queryParams().get("group"), rc.queryParams().get("tag")))).query("group", "only devices in this group")
                .query("tag", "only devices with this tag");
        r.get("/api/v1/devices/:id", Role.VIEWER, "One device",
                rc -> withDevice(rc, id -> ctx.blocking(rc, () -> store.device(id).map(this::deviceJson).orElse(null))))
                .response(404, "unknown device");
        r.get("/api/v1/devices/:id/summaries", Role.VIEWER, "Latest stored telemetry summaries of a device (newest first)",
                rc -> withDevice(rc, id -> withLimit(rc, limit -> ctx.blocking(rc, () -> summariesJson(id, limit)))))
                .query("limit", "at most this many rows (1-" + MAX_LIMIT + ", default " + DEFAULT_LIMIT + ")")
                .response(400, "bad limit");
        r.get("/api/v1/devices/:id/summaries/hourly", Role.VIEWER,
                "Hourly aggregates of summaries older than the raw retention period (count, min, max, mean, last)",
                rc -> withDevice(rc, id -> ctx.blocking(rc, () -> {
                    JsonArray arr = new JsonArray();
                    for (Retention.HourlyRow h : retention.hourly(id, 24 * 31)) {
                        arr.add(new JsonObject().put("channel", h.channel()).put("hourStartMs", h.hourStartMs())
                                .put("windows", h.windows()).put("count", h.count()).put("min", h.min()).put("max", h.max())
                                .put("mean", h.mean()).put("last", h.last()));
                    }
                    return new JsonObject().put("deviceId", id).put("hourly", arr);
                })));
        r.get("/api/v1/devices/:id/events", Role.VIEWER,
                "Latest events of a device (newest first; install progress and command results with their message)",
                rc -> withDevice(rc, id -> withLimit(rc, limit -> ctx.blocking(rc, () -> eventsJson(id, limit)))))
                .query("limit", "at most this many events (1-" + MAX_LIMIT + ", default " + DEFAULT_LIMIT + ")")
                .response(400, "bad limit");
    }

    /** Validates the :id path parameter as a device id (400 otherwise). */
    public static void withDevice(RoutingContext rc, Consumer<String> then) {
        String id = rc.pathParam("id");
        String problem = DeviceId.problem(id);
        if (problem != null) {
            ApiContext.error(rc, 400, problem);
            return;
        }
        then.accept(id);
    }

    /** The ?limit= query parameter (1-MAX_LIMIT, default DEFAULT_LIMIT); answers 400 otherwise. */
    static void withLimit(RoutingContext rc, IntConsumer then) {
        String v = rc.queryParams().get("limit");
        int limit;
        try {
            limit = v == null ? DEFAULT_LIMIT : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            ApiContext.error(rc, 400, "limit must be a whole number from 1 to " + MAX_LIMIT + ", got '" + v + "'");
            return;
        }
        then.accept(limit);
    }

    private JsonObject devicesJson(String group, String tag) throws Exception {
        List<DeviceRow> devices = store.devices(group, tag);
        JsonArray arr = new JsonArray();
        devices.forEach(d -> arr.add(deviceJson(d)));
        long online = devices.stream().filter(DeviceRow::online).count();
        return new JsonObject().put("count", devices.size()).put("online", online).put("devices", arr);
    }

    /** A device as the API shows it; {@code status} is {@code revoked}, {@code online} or {@code offline}. */
    JsonObject deviceJson(DeviceRow d) {
        boolean isRevoked = revoked.test(d.deviceId());
        return device(d).put("revoked", isRevoked).put("status", isRevoked ? "revoked" : d.online() ? "online" : "offline");
    }

    public static JsonObject device(DeviceRow d) {
        return new JsonObject().put("deviceId", d.deviceId()).put("online", d.online())
                .put("firstSeenMs", d.firstSeenMs()).put("lastSeenMs", d.lastSeenMs())
                .put("agentVersion", d.agentVersion()).put("hardwareId", d.hardwareId())
                .put("channels", new JsonArray(d.channels())).put("group", d.group()).put("tags", new JsonArray(d.tags()))
                .put("registration", d.registration());
    }

    private JsonObject summariesJson(String id, int limit) throws Exception {
        JsonArray arr = new JsonArray();
        for (SummaryRow s : store.summaries(id, limit)) {
            arr.add(new JsonObject().put("sequence", s.sequence()).put("channel", s.channel())
                    .put("windowStartMs", s.windowStartMs()).put("windowEndMs", s.windowEndMs()).put("count", s.count())
                    .put("min", s.min()).put("max", s.max()).put("mean", s.mean()).put("last", s.last()));
        }
        return new JsonObject().put("deviceId", id).put("summaries", arr);
    }

    private JsonObject eventsJson(String id, int limit) throws Exception {
        JsonArray arr = new JsonArray();
        for (EventRow e : store.events(id, limit)) {
            JsonObject o = new JsonObject().put("eventId", e.eventId()).put("sequence", e.sequence()).put("type", e.type())
                    .put("timestampMs", e.timestampMs()).put("bytes", e.payload().length);
            detail(e.payload(), o);
            arr.add(o);
        }
        return new JsonObject().put("deviceId", id).put("events", arr);
    }

    /** What an operator needs from an install progress or command result: target, result code and message. */
    private static void detail(byte[] payload, JsonObject o) {
        Event ev;
        try {
            ev = Codecs.EVENT.decode(payload);
        } catch (PayloadException e) {
            return; // stored events were decoded once; an old or foreign row just shows its size
        }
        if (ev.hasInstallProgress()) {
            InstallProgress p = ev.getInstallProgress();
            o.put("install", new JsonObject().put("target", p.getTargetName()).put("state", p.getState().name())
                    .put("result", p.getResult()).put("message", p.getMessage()));
        } else if (ev.hasCommandResult()) {
            CommandResult c = ev.getCommandResult();
            o.put("commandResult", new JsonObject().put("commandId", c.getCommandId()).put("status", c.getStatus().name())
                    .put("message", c.getMessage()));
        }
    }
}
