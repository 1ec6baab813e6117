package io.nanofleet.server.models;

import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.repo.OnlineKeys;
import io.nanofleet.ota.repo.TargetKind;
import io.nanofleet.server.api.ApiContext;
import io.nanofleet.server.api.ApiException;
import io.nanofleet.server.api.ApiServer;
import io.nanofleet.server.api.DeviceRoutes;
import io.nanofleet.server.api.RouteModule;
import io.nanofleet.server.api.auth.Role;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Models and the update repository over HTTP: upload and list models, assign one to a device, and the
 * public TUF metadata and target downloads devices use ({@code /api/v1/tuf/...}, {@code /api/v1/targets/...}
 * with HTTP Range so an interrupted download resumes).
 */
public final class ModelRoutes implements RouteModule {
    /** Largest model upload; models are kilobytes to a few megabytes. */
    static final long MAX_MODEL_BYTES = 64L * 1024 * 1024;
    private final ModelRepository repo;
    private final ModelAssigner assigner;
    private final Path uploads;

    public ModelRoutes(ModelRepository repo, ModelAssigner assigner, Path uploads) {
        this.repo = repo;
        this.assigner = assigner;
        this.uploads = uploads;
    }

    @Override
    public void mount(Router router, ApiContext ctx) {
        var r = ctx.routes(router);
        // The token is checked before the body is read; only then is it spooled to <data-dir>/uploads, up to
        // MAX_MODEL_BYTES (counted while streaming), and the spooled files are deleted when the request ends.
        r.upload(ApiServer.LARGE_BODY_PATH, Role.OPERATOR,
                "Upload a model (multipart: model, name; then either targetsMetadata signed offline with the ota CLI, "
                        + "or kind, hardwareId, releaseCounter to sign with the server's online targets key)",
                BodyHandler.create(uploads.toString()).setBodyLimit(MAX_MODEL_BYTES).setDeleteUploadedFilesOnEnd(true),
                "the upload is larger than the " + (MAX_MODEL_BYTES >> 20) + " MiB limit for a model",
                rc -> ctx.blocking(rc, 201, edge(() -> upload(rc, ctx))))
                .response(413, "upload larger than the model size limit")
                .response(400, "missing field, bad metadata, file not matching it, not a loadable model of its kind, "
                        + "or a kind the server cannot check")
                .response(409, "no trusted root yet, no online targets key, stale metadata version, or a published name with other content "
                        + "(published targets are immutable) or a lower release counter");
        r.get("/api/v1/tuf/online-keys", Role.OPERATOR, "The server's online public keys (snapshot, timestamp, director) "
                        + "for nanofleet-ota init --online-keys", rc -> ctx.blocking(rc, () -> new JsonObject(OnlineKeys.toJson(repo.onlineKeys()))));
        r.post("/api/v1/tuf/root", Role.ADMIN, "Start the update channel from root v1 and targets v1 signed offline "
                        + "(nanofleet-ota init --online-keys): {\"root\":{..},\"targets\":{..}}",
                rc -> {
                    JsonObject body = ApiContext.jsonBody(rc, "{\"root\":{1.root.json},\"targets\":{1.targets.json}}");
                    if (body != null) {
                        ctx.blocking(rc, 201, edge(() -> installRoot(rc, ctx, body)));
                    }
                })
                .response(400, "root not self-signed to threshold, online roles not this server's keys, or targets not signed by root's targets keys")
                .response(409, "a root already exists");
        r.get("/api/v1/models", Role.VIEWER, "Published models (newest targets metadata)",
                rc -> ctx.blocking(rc, edge(this::list)));
        r.post("/api/v1/devices/:id/model", Role.OPERATOR, "Assign a model to one device (signed director assignment)",
                rc -> DeviceRoutes.withDevice(rc, id -> {
                    JsonObject body = ApiContext.jsonBody(rc, "{\"model\":\"models/anomaly-v2.nfm\"}");
                    if (body != null) {
                        ctx.blocking(rc, 202, edge(() -> assign(rc, ctx, id, body.getString("model"))));
                    }
                }));
        r.open(HttpMethod.GET, "/api/v1/tuf/:file", "TUF metadata: N.root.json, timestamp.json, N.snapshot.json, N.targets.json",
                rc -> ctx.vertx().executeBlocking(() -> repo.metadata(rc.pathParam("file")), false).onComplete(ar -> {
                    if (ar.failed() || ar.result().isEmpty()) {
                        ApiContext.error(rc, 404, "no such metadata file");
                    } else {
                        rc.response().putHeader("content-type", "application/json").end(io.vertx.core.buffer.Buffer.buffer(ar.result().get()));
                    }
                }));
        r.open(HttpMethod.GET, "/api/v1/targets/*", "Download a target (HTTP Range supported)", this::download);
    }

    private Object upload(RoutingContext rc, ApiContext ctx) throws Exception {
        FileUpload model = field(rc, "model").orElseThrow(() -> new ApiException(400,
                "multipart field 'model' (the model file) is required, e.g. curl -F model=@anomaly-v2.nfm"));
        String name = rc.request().getFormAttribute("name");
        if (name == null || name.isBlank()) {
            throw new ApiException(400, "field 'name' (the target name, e.g. models/anomaly-v2.nfm) is required");
        }
        Optional<FileUpload> signed = field(rc, "targetsMetadata");
        TargetFile t;
        if (signed.isPresent()) {
            byte[] targetsJson = Files.readAllBytes(Path.of(signed.get().uploadedFileName()));
            ModelFileCheck.checkSigned(Path.of(model.uploadedFileName()), name, targetsJson);
            t = repo.publishSigned(Path.of(model.uploadedFileName()), name, targetsJson);
        } else {
            TargetKind kind;
            List<String> hw;
            long counter;
            try {
                kind = TargetKind.fromWire(required(rc, "kind", "anomaly-model"));
                hw = Arrays.asList(required(rc, "hardwareId", "rpi4-arm64").split(","));
                counter = Long.parseLong(required(rc, "releaseCounter", "2"));
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, e.getMessage());
            }
            ModelFileCheck.check(Path.of(model.uploadedFileName()), kind);
            t = repo.publish(Path.of(model.uploadedFileName()), name, kind, hw, counter);
        }
        ctx.audit().record(ApiContext.principal(rc), "model.publish", name,
                (signed.isPresent() ? "offline-signed" : "online-signed") + " sha256=" + t.hashes().get("sha256"));
        return json(t);
    }

    private static String required(RoutingContext rc, String field, String example) throws ApiException {
        String v = rc.request().getFormAttribute(field);
        if (v == null || v.isBlank()) {
            throw new ApiException(400, "field '" + field + "' is required when no targetsMetadata is uploaded (e.g. "
                    + field + "=" + example + ")");
        }
        return v.trim();
    }

    private static Optional<FileUpload> field(RoutingContext rc, String name) {
        return rc.fileUploads().stream().filter(f -> name.equals(f.name())).findFirst();
    }

    private Object list() throws Exception {
        JsonArray arr = new JsonArray();
        for (TargetFile t : repo.models()) {
            arr.add(json(t));
        }
        JsonObject out = new JsonObject().put("models", arr).put("trustedRoot", repo.hasRoot());
        return repo.hasRoot() ? out : out.put("hint", ModelRepository.NO_ROOT);
    }

    private Object installRoot(RoutingContext rc, ApiContext ctx, JsonObject body) throws Exception {
        if (!(body.getValue("root") instanceof JsonObject root) || !(body.getValue("targets") instanceof JsonObject targets)) {
            throw new ApiException(400, "body must be {\"root\":{the 1.root.json document},\"targets\":{the 1.targets.json "
                    + "document}}, as nanofleet-ota init --online-keys writes them");
        }
        var installed = repo.installRoot(root.toBuffer().getBytes(), targets.toBuffer().getBytes());
        ctx.audit().record(ApiContext.principal(rc), "tuf.root", "root v" + installed.version(), "offline-signed root installed");
        return new JsonObject().put("rootVersion", installed.version()).put("targetsVersion", 1);
    }

    private Object assign(RoutingContext rc, ApiContext ctx, String deviceId, String model) throws Exception {
        if (model == null) {
            throw new ApiException(400, "field 'model' is required");
        }
        ModelAssigner.Assigned a = assigner.assign(deviceId, model);
        ctx.audit().record(ApiContext.principal(rc), "model.assign", deviceId, model);
        return new JsonObject().put("deviceId", deviceId).put("model", a.target().name()).put("length", a.target().length());
    }

    /** The one place a {@link ModelException} becomes HTTP: its reason's status, its message as the error. */
    static int status(ModelException.Reason reason) {
        return switch (reason) {
            case UNKNOWN_MODEL -> 404;
            case NO_TARGETS_KEY, STALE_VERSION, NO_ROOT, ROOT_EXISTS, TARGET_IMMUTABLE, RELEASE_COUNTER_LOWERED -> 409;
            case INVALID_TARGET, INVALID_METADATA, FILE_MISMATCH, ONLINE_KEYS_DIFFER, INVALID_MODEL, UNSUPPORTED_KIND -> 400;
        };
    }

    private static Callable<Object> edge(Callable<Object> call) {
        return ApiException.answering(ModelException.class, e -> status(e.reason()), call);
    }

    static JsonObject json(TargetFile t) {
        return new JsonObject().put("name", t.name()).put("length", t.length())
                .put("hashes", new JsonObject(new java.util.LinkedHashMap<>(t.hashes()))).put("kind", t.kind())
                .put("hardwareIds", new JsonArray(t.hardwareIds())).put("releaseCounter", t.releaseCounter());
    }

    private void download(RoutingContext rc) {
        String name = rc.pathParam("*");
        Optional<Path> file = name == null ? Optional.empty() : repo.target(name);
        if (file.isEmpty()) {
            ApiContext.error(rc, 404, "no target named " + name);
            return;
        }
        long length;
        try {
            length = Files.size(file.get());
        } catch (java.io.IOException e) {
            ApiContext.error(rc, 500, "cannot read target " + name);
            return;
        }
        rc.response().putHeader("accept-ranges", "bytes").putHeader("content-type", "application/octet-stream");
        String range = rc.request().getHeader("range");
        if (range == null) {
            rc.response().sendFile(file.get().toString());
            return;
        }
        long[] r = ByteRange.parse(range, length);
        if (r == null) {
            rc.response().setStatusCode(416).putHeader("content-range", "bytes */" + length).end();
            return;
        }
        rc.response().setStatusCode(206).putHeader("content-range", "bytes " + r[0] + "-" + r[1] + "/" + length)
                .sendFile(file.get().toString(), r[0], r[1] - r[0] + 1);
    }
}
