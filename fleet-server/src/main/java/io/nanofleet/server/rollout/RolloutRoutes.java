package io.nanofleet.server.rollout;

import io.nanofleet.server.api.ApiContext;
import io.nanofleet.server.api.ApiException;
import io.nanofleet.server.api.RouteModule;
import io.nanofleet.server.api.auth.Role;
import io.nanofleet.server.store.DeviceRow;
import io.nanofleet.server.store.FleetStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/** Rollouts over HTTP: start, list, status with steps, pause / resume / abort. */
public final class RolloutRoutes implements RouteModule {
    static final String EXAMPLE = "{\"model\":\"models/anomaly-v2.nfm\",\"waves\":[\"1\",\"10%\",\"50%\",\"100%\"],"
            + "\"thresholds\":{\"anomalyRateFactor\":2,\"anomalyRateSlack\":1,\"latencyIncreasePct\":50,\"maxRestarts\":0},"
            + "\"observeMs\":600000}";
    private final RolloutEngine engine;
    private final RolloutStore store;
    private final ModelCatalog models;

    /** Whether a model exists, so a typo is refused when the rollout is created and not at its first wave. */
    @FunctionalInterface
    public interface ModelCatalog {
        boolean exists(String model) throws Exception;
    }

    public RolloutRoutes(RolloutEngine engine, RolloutStore store, ModelCatalog models) {
        this.engine = engine;
        this.store = store;
        this.models = models;
    }

    @Override
    public void mount(Router router, ApiContext ctx) {
        var r = ctx.routes(router);
        r.post("/api/v1/rollouts", Role.OPERATOR, "Start a rollout: " + EXAMPLE
                        + " (optional: devices [ids], group, baselineMs, installTimeoutMs; default: every online device)",
                rc -> {
                    JsonObject body = ApiContext.jsonBody(rc, EXAMPLE);
                    if (body != null) {
                        ctx.blocking(rc, 201, () -> create(rc, ctx, body));
                    }
                }).response(400, "bad wave sizes or thresholds, unknown field, model or device")
                .response(409, "a device is already in a running or paused rollout");
        r.get("/api/v1/rollouts", Role.VIEWER, "All rollouts, newest first",
                rc -> ctx.blocking(rc, () -> {
                    JsonArray arr = new JsonArray();
                    store.all().forEach(x -> arr.add(summary(x)));
                    return new JsonObject().put("rollouts", arr);
                }));
        r.get("/api/v1/rollouts/:id", Role.VIEWER, "One rollout: waves, their devices and health figures, and every step",
                rc -> ctx.blocking(rc, () -> status(rc.pathParam("id"))));
        for (String action : List.of("pause", "resume", "abort")) {
            r.post("/api/v1/rollouts/:id/" + action, Role.OPERATOR,
                    action.substring(0, 1).toUpperCase() + action.substring(1) + " a rollout (applied by the leader within a second)",
                    rc -> ctx.blocking(rc, 202, () -> request(rc, ctx, action)))
                    .response(404, "unknown rollout").response(409, "the rollout was aborted or has completed");
        }
    }

    /** The fields a rollout request may have; anything else is a typo the operator should hear about. */
    static final Set<String> FIELDS = Set.of("model", "waves", "thresholds", "devices", "group", "baselineMs", "observeMs",
            "installTimeoutMs");
    static final Set<String> THRESHOLD_FIELDS = Set.of("anomalyRateFactor", "anomalyRateSlack", "latencyIncreasePct", "maxRestarts");

    private Object create(RoutingContext rc, ApiContext ctx, JsonObject body) throws Exception {
        unknownFields("", body, FIELDS);
        if (body.getValue("thresholds") instanceof JsonObject t) {
            unknownFields("thresholds.", t, THRESHOLD_FIELDS);
        }
        String model = body.getString("model");
        if (model == null || !models.exists(model)) {
            throw new ApiException(400, model == null ? "field 'model' is required" : "no model named " + model
                    + "; upload it first (POST /api/v1/models)");
        }
        List<String> sizes = new ArrayList<>();
        body.getJsonArray("waves", new JsonArray().add("1").add("10%").add("50%").add("100%")).forEach(x -> sizes.add(String.valueOf(x)));
        List<String> devices = devices(ctx.store(), body);
        refuseOverlap(devices);
        try {
            Rollout.Timing timing = new Rollout.Timing(body.getLong("baselineMs", 600_000L), body.getLong("observeMs", 600_000L),
                    body.getLong("installTimeoutMs", 1_800_000L));
            Rollout plan = Rollout.plan("ro-" + UUID.randomUUID().toString().substring(0, 8), model, devices, sizes,
                    HealthGate.fromJson(body.getJsonObject("thresholds")), timing);
            String who = ApiContext.principal(rc).name();
            engine.create(plan, who);
            ctx.audit().record(ApiContext.principal(rc), "rollout.create", plan.id(), model + " to " + devices.size() + " devices");
            return status(plan.id());
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new ApiException(400, e.getMessage());
        }
    }

    private static void unknownFields(String prefix, JsonObject o, Set<String> known) {
        List<String> unknown = new ArrayList<>();
        for (String f : o.fieldNames()) {
            if (!known.contains(f)) {
                unknown.add(prefix + f);
            }
        }
        if (!unknown.isEmpty()) {
            throw new ApiException(400, "unknown field" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
                    + "; a rollout takes " + new TreeSet<>(FIELDS) + " and thresholds " + new TreeSet<>(THRESHOLD_FIELDS));
        }
    }

    private static List<String> devices(FleetStore store, JsonObject body) throws Exception {
        JsonArray explicit = body.getJsonArray("devices");
        List<String> out = new ArrayList<>();
        if (explicit != null) {
            Set<String> known = new HashSet<>();
            store.devices().forEach(d -> known.add(d.deviceId()));
            List<String> unknown = new ArrayList<>();
            for (Object x : explicit) {
                String id = String.valueOf(x);
                (known.contains(id) ? out : unknown).add(id);
            }
            if (!unknown.isEmpty()) {
                throw new ApiException(400, "unknown device" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
                        + " (GET /api/v1/devices lists the known ones)");
            }
            return out;
        }
        String group = body.getString("group");
        for (DeviceRow d : store.devices(group, null)) {
            if (d.online()) {
                out.add(d.deviceId());
            }
        }
        return out;
    }

    /** A device is in at most one running or paused rollout: two would assign it different models in turn. */
    private void refuseOverlap(List<String> devices) throws Exception {
        Set<String> wanted = new HashSet<>(devices);
        for (Rollout other : store.all()) {
            if (other.state() != Rollout.State.RUNNING && other.state() != Rollout.State.PAUSED) {
                continue;
            }
            Set<String> shared = new TreeSet<>();
            other.waves().forEach(w -> w.devices().stream().filter(wanted::contains).forEach(shared::add));
            if (!shared.isEmpty()) {
                throw new ApiException(409, "rollout " + other.id() + " (" + other.state().name().toLowerCase(Locale.ROOT)
                        + ") already covers " + String.join(", ", shared) + "; abort it or leave these devices out");
            }
        }
    }

    private Object request(RoutingContext rc, ApiContext ctx, String action) throws Exception {
        String id = rc.pathParam("id");
        if (!engine.request(id, action, ApiContext.principal(rc).name())) {
            Optional<Rollout> r = store.get(id);
            if (r.isEmpty()) {
                return null;
            }
            throw new ApiException(409, "rollout " + id + " is " + (r.get().state() == Rollout.State.ABORTED
                    || r.get().state() == Rollout.State.COMPLETED ? r.get().state().name().toLowerCase(Locale.ROOT)
                    : "being aborted") + ": it cannot " + action + "; start a new rollout instead");
        }
        ctx.audit().record(ApiContext.principal(rc), "rollout." + action + "-requested", id, "");
        return status(id);
    }

    private static JsonObject summary(Rollout r) {
        return new JsonObject().put("id", r.id()).put("model", r.model()).put("state", r.state().name())
                .put("currentWave", r.currentWave() + 1).put("waves", r.waves().size()).put("reason", r.reason());
    }

    private Object status(String id) throws Exception {
        var r = store.get(id);
        if (r.isEmpty()) {
            return null;
        }
        JsonArray steps = new JsonArray();
        for (RolloutStore.Step s : store.steps(id)) {
            steps.add(new JsonObject().put("seq", s.seq()).put("tsMs", s.tsMs()).put("actor", s.actor()).put("step", s.step())
                    .put("detail", s.detail()));
        }
        return r.get().toJson().put("steps", steps);
    }
}
