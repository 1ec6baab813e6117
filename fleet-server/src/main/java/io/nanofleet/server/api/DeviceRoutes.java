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
import java.util.List;
import java.util.function.Consumer;

/** Read-only device routes: the fleet list, one device, its summaries and events. */
public final class DeviceRoutes implements RouteModule {
    private final Retention retention;
    private FleetStore store;

    public DeviceRoutes(Retention retention) {
        this.retention = retention;
    }

    @Override
    public void mount(Router router, ApiContext ctx) {
        store = ctx.store();
        ApiRoutes r = ctx.routes(router);
        r.get("/api/v1/devices", Role.VIEWER, "List devices with online state and last-seen time",
                rc -> ctx.blocking(rc, () -> devicesJson(rc.queryParams().get("group"), rc.queryParams().get("tag")))).query("group", "only devices in this group")
                .query("tag", "only devices with this tag");
        r.get("/api/v1/devices/:id", Role.VIEWER, "One device",
                rc -> withDevice(rc, id -> ctx.blocking(rc, () -> store.device(id).map(DeviceRoutes::device).orElse(null))))
                .response(404, "unknown device");
        r.get("/api/v1/devices/:id/summaries", Role.VIEWER, "Latest stored telemetry summaries of a device",
                rc -> withDevice(rc, id -> ctx.blocking(rc, () -> summariesJson(id))));
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
        r.get("/api/v1/devices/:id/events", Role.VIEWER, "Latest events of a device",
                rc -> withDevice(rc, id -> ctx.blocking(rc, () -> eventsJson(id))));
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

    private JsonObject devicesJson(String group, String tag) throws Exception {
        List<DeviceRow> devices = store.devices(group, tag);
        JsonArray arr = new JsonArray();
        devices.forEach(d -> arr.add(device(d)));
        long online = devices.stream().filter(DeviceRow::online).count();
        return new JsonObject().put("count", devices.size()).put("online", online).put("devices", arr);
    }

    public static JsonObject device(DeviceRow d) {
        return new JsonObject().put("deviceId", d.deviceId()).put("online", d.online())
                .put("firstSeenMs", d.firstSeenMs()).put("lastSeenMs", d.lastSeenMs())
                .put("agentVersion", d.agentVersion()).put("hardwareId", d.hardwareId())
                .put("channels", new JsonArray(d.channels())).put("group", d.group()).put("tags", new JsonArray(d.tags()))
                .put("registration", d.registration());
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
}
