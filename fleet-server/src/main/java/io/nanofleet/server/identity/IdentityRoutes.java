package io.nanofleet.server.identity;

import io.nanofleet.protocols.DeviceId;
import io.nanofleet.server.api.ApiContext;
import io.nanofleet.server.api.ApiException;
import io.nanofleet.server.api.ApiRoutes;
import io.nanofleet.server.api.DeviceRoutes;
import io.nanofleet.server.api.RouteModule;
import io.nanofleet.server.api.auth.Principal;
import io.nanofleet.server.api.auth.Role;
import io.nanofleet.server.commands.CommandSigner;
import io.nanofleet.server.metrics.FleetMetrics;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Enrollment tokens, enrollment (CSR signing), revocation, groups and tags. */
public final class IdentityRoutes implements RouteModule {
    static final long DEFAULT_TTL_SECONDS = 86_400;
    static final long MAX_TTL_SECONDS = 30L * 86_400;
    static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    static final int MAX_TAGS = 32;

    private final Identity identity;
    private final FleetMetrics metrics;
    private final SessionControl sessions;
    private final DeviceEndpoints endpoints;
    private final CommandSigner signer;
    private final TrustedRootSource trustedRoot;

    /** @param sessions ends a revoked device's live session ({@link SessionControl#NONE} with an external broker) */
    public IdentityRoutes(Identity identity, FleetMetrics metrics, SessionControl sessions, DeviceEndpoints endpoints,
                          CommandSigner signer, TrustedRootSource trustedRoot) {
        this.identity = identity;
        this.metrics = metrics;
        this.sessions = sessions;
        this.endpoints = endpoints;
        this.signer = signer;
        this.trustedRoot = trustedRoot;
    }

    @Override
    public void mount(Router router, ApiContext ctx) {
        ApiRoutes r = ctx.routes(router);

        r.post("/api/v1/enrollment-tokens", Role.ADMIN, "Create a one-time enrollment token for a device", rc -> {
            JsonObject body = ApiContext.jsonBody(rc, "{\"deviceId\":\"pump-7\",\"ttlSeconds\":86400,\"group\":\"plant-a\",\"tags\":[\"pump\"]}");
            if (body == null) {
                return;
            }
            ctx.blocking(rc, 201, () -> {
                String deviceId = deviceId(body.getValue("deviceId"));
                long ttl = ttl(body.getValue("ttlSeconds"));
                String group = label("group", body.getValue("group"));
                List<String> tags = tags(body.getValue("tags"));
                Principal who = ApiContext.principal(rc);
                Identity.TokenGrant g = identity.createToken(deviceId, ttl, group, tags, who.name());
                ctx.audit().record(who, "enrollment-token.create", "device:" + deviceId,
                        new JsonObject().put("expiresMs", g.expiresMs()).put("group", group).put("tags", new JsonArray(tags)).encode());
                return new JsonObject().put("token", g.token()).put("deviceId", g.deviceId()).put("expiresMs", g.expiresMs());
            });
        }).body(new JsonObject().put("deviceId", "pump-7").put("ttlSeconds", 86400).put("group", "plant-a")
                .put("tags", new JsonArray().add("pump"))).response(201, "the token (shown only here)").response(400, "bad field");

        r.open(HttpMethod.POST, "/api/v1/enroll", "Enroll a device: one-time token + PKCS#10 CSR (CN=deviceId) in, certificate out",
                rc -> enroll(ctx, identity, metrics, rc))
                .body(new JsonObject().put("token", "...").put("csr", "-----BEGIN CERTIFICATE REQUEST-----...")
                        .put("hardwareId", "rpi4-arm64").put("agentVersion", "0.1.0"))
                .response(400, "malformed request or CSR, or CN not the token's device id")
                .response(401, "unknown or expired token").response(409, "token already used")
                .response(503, "the update channel has no trusted root yet (offline keys: an admin uploads one)");

        r.post("/api/v1/devices/:id/revoke", Role.ADMIN, "Revoke a device's certificates and end its live session",
                rc -> DeviceRoutes.withDevice(rc, id -> ctx.blocking(rc, () -> {
                    List<String> serials = identity.revokeDevice(id);
                    if (serials.isEmpty() && !identity.registry().isRevoked(id)) {
                        throw new ApiException(404, "device " + id + " has no certificate to revoke");
                    }
                    boolean disconnected = sessions.disconnect(id);
                    ctx.audit().record(ApiContext.principal(rc), "device.revoke", "device:" + id,
                            new JsonObject().put("serials", new JsonArray(serials)).put("disconnected", disconnected).encode());
                    return new JsonObject().put("deviceId", id).put("revokedSerials", new JsonArray(serials))
                            .put("disconnected", disconnected);
                }))).response(404, "no certificate to revoke");

        r.put("/api/v1/devices/:id/labels", Role.OPERATOR, "Set a device's group and tags",
                rc -> DeviceRoutes.withDevice(rc, id -> {
                    JsonObject body = ApiContext.jsonBody(rc, "{\"group\":\"plant-a\",\"tags\":[\"pump\"]}");
                    if (body == null) {
                        return;
                    }
                    ctx.blocking(rc, () -> {
                        String group = label("group", body.getValue("group"));
                        List<String> tags = tags(body.getValue("tags"));
                        if (!identity.setGroupAndTags(id, group, tags)) {
                            return null;
                        }
                        ctx.audit().record(ApiContext.principal(rc), "device.labels", "device:" + id,
                                new JsonObject().put("group", group).put("tags", new JsonArray(tags)).encode());
                        return new JsonObject().put("deviceId", id).put("group", group).put("tags", new JsonArray(tags));
                    });
                })).body(new JsonObject().put("group", "plant-a").put("tags", new JsonArray().add("pump")))
                .response(404, "unknown device");

        r.get("/api/v1/ca.pem", Role.VIEWER, "The device CA certificate (PEM)", rc ->
                rc.response().putHeader("Content-Type", "application/x-pem-file").end(identity.ca().certificatePem()))
                .produces("application/x-pem-file");
    }

    private void enroll(ApiContext ctx, Identity identity, FleetMetrics metrics, RoutingContext rc) {
        JsonObject body;
        try {
            body = rc.body().asJsonObject();
        } catch (RuntimeException e) {
            body = null;
        }
        if (body == null || !(body.getValue("token") instanceof String token) || token.isBlank()
                || !(body.getValue("csr") instanceof String csr) || csr.isBlank()) {
            metrics.rejected("enroll", "bad_request");
            ApiContext.error(rc, 400, "body must be JSON with \"token\" and \"csr\" (PEM PKCS#10), plus optional "
                    + "\"hardwareId\" and \"agentVersion\"");
            return;
        }
        String hardwareId = body.getValue("hardwareId") instanceof String s ? s : null;
        String agentVersion = body.getValue("agentVersion") instanceof String s ? s : null;
        String requestHost = rc.request().authority() != null ? rc.request().authority().host() : "localhost";
        ctx.vertx().executeBlocking(() -> {
            JsonObject root = trustedRoot.trustedRoot();
            if (root == null) {
                throw new ApiException(503, TrustedRootSource.NO_ROOT); // before the one-time token is spent
            }
            Identity.Enrolled e = identity.enroll(token, csr, hardwareId, agentVersion);
            ctx.audit().record(new Principal("-", "device:" + e.deviceId(), null), "device.enroll", "device:" + e.deviceId(),
                    new JsonObject().put("serial", DeviceCa.serialHex(e.certificate())).put("hardwareId", hardwareId).encode());
            JsonObject answer = new JsonObject().put("deviceId", e.deviceId()).put("certificate", Pem.encode(e.certificate()))
                    .put("caCertificate", identity.ca().certificatePem())
                    .put("commandKey", signer.publicKeyPem()).put("commandKeyId", signer.keyId())
                    .put("trustedRoot", root);
            String mqttUrl = endpoints.mqttUrl(requestHost);
            String coapUrl = endpoints.coapUrl(requestHost);
            if (mqttUrl != null) {
                answer.put("mqttUrl", mqttUrl);
            }
            if (coapUrl != null) {
                answer.put("coapUrl", coapUrl);
            }
            return answer;
        }, false).onComplete(ar -> {
            if (ar.succeeded()) {
                rc.json(ar.result());
            } else if (ar.cause() instanceof EnrollmentException e) {
                metrics.rejected("enroll", e.reason());
                ApiContext.error(rc, e.status(), e.getMessage());
            } else if (ar.cause() instanceof ApiException e) {
                metrics.rejected("enroll", "no_trusted_root");
                ApiContext.error(rc, e.status(), e.getMessage());
            } else {
                ApiException e = ApiException.of(ar.cause()); // logged with a reference; no raw text to the client
                ApiContext.error(rc, e.status(), e.getMessage());
            }
        });
    }

    static String deviceId(Object v) {
        String id = v instanceof String s ? s : null;
        String problem = DeviceId.problem(id);
        if (problem != null) {
            throw new ApiException(400, "deviceId: " + problem);
        }
        return id;
    }

    static long ttl(Object v) {
        if (v == null) {
            return DEFAULT_TTL_SECONDS;
        }
        if (!(v instanceof Number n) || n.longValue() < 1 || n.longValue() > MAX_TTL_SECONDS) {
            throw new ApiException(400, "ttlSeconds must be a number between 1 and " + MAX_TTL_SECONDS);
        }
        return n.longValue();
    }

    static String label(String field, Object v) {
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s) || !LABEL.matcher(s).matches()) {
            throw new ApiException(400, field + " must be 1-64 characters of letters, digits, '.', '_' or '-'");
        }
        return s;
    }

    static List<String> tags(Object v) {
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (!(v instanceof JsonArray a) || a.size() > MAX_TAGS) {
            throw new ApiException(400, "tags must be an array of at most " + MAX_TAGS + " labels");
        }
        for (Object o : a) {
            out.add(label("tag", o));
        }
        return out;
    }
}
