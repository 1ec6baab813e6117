package io.nanofleet.server.api;

import io.nanofleet.server.api.auth.ApiTokens;
import io.nanofleet.server.api.auth.Role;
import io.nanofleet.server.audit.AuditLog;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/** Admin routes: API tokens and the audit log. */
public final class OperatorRoutes implements RouteModule {
    static final int MAX_AUDIT_PAGE = 1000;

    @Override
    public void mount(Router router, ApiContext ctx) {
        ApiRoutes r = ctx.routes(router);
        ApiTokens tokens = ctx.tokens();
        r.post("/api/v1/tokens", Role.ADMIN, "Create an API token (the secret is shown only in this answer)", rc -> {
            JsonObject body = ApiContext.jsonBody(rc, "{\"name\":\"grafana\",\"role\":\"viewer\"}");
            if (body == null) {
                return;
            }
            String name = body.getValue("name") instanceof String s ? s.trim() : "";
            Role role = body.getValue("role") instanceof String s ? Role.parse(s) : null;
            if (name.isEmpty() || name.length() > 128 || role == null) {
                ApiContext.error(rc, 400, "need \"name\" (1-128 characters) and \"role\" (viewer, operator or admin)");
                return;
            }
            ctx.blocking(rc, 201, () -> {
                ApiTokens.Issued issued = tokens.create(name, role);
                ctx.audit().record(ApiContext.principal(rc), "token.create", "token:" + issued.info().tokenId(),
                        new JsonObject().put("name", name).put("role", role.wireName()).encode());
                return tokenJson(issued.info()).put("token", issued.token());
            });
        }).body(new JsonObject().put("name", "grafana").put("role", "viewer")).response(201, "created; the answer holds the secret")
                .response(400, "bad name or role");
        r.get("/api/v1/tokens", Role.ADMIN, "List API tokens (never their secrets)", rc -> ctx.blocking(rc, () -> {
            JsonArray arr = new JsonArray();
            tokens.list().forEach(t -> arr.add(tokenJson(t)));
            return new JsonObject().put("tokens", arr);
        }));
        r.delete("/api/v1/tokens/:tokenId", Role.ADMIN, "Revoke an API token", rc -> {
            String id = rc.pathParam("tokenId");
            ctx.blocking(rc, () -> {
                if (!tokens.revoke(id)) {
                    return null;
                }
                ctx.audit().record(ApiContext.principal(rc), "token.revoke", "token:" + id, null);
                return new JsonObject().put("tokenId", id).put("revoked", true);
            });
        }).response(404, "no such active token");
        r.get("/api/v1/audit", Role.ADMIN, "The audit log, newest first", rc -> {
            String limitParam = rc.queryParams().get("limit");
            String beforeParam = rc.queryParams().get("before");
            int limit;
            Long before;
            try {
                limit = limitParam == null ? 100 : Integer.parseInt(limitParam);
                before = beforeParam == null ? null : Long.parseLong(beforeParam);
            } catch (NumberFormatException e) {
                ApiContext.error(rc, 400, "limit and before must be integers");
                return;
            }
            if (limit < 1 || limit > MAX_AUDIT_PAGE) {
                ApiContext.error(rc, 400, "limit must be between 1 and " + MAX_AUDIT_PAGE);
                return;
            }
            String action = rc.queryParams().get("action");
            String target = rc.queryParams().get("target");
            ctx.blocking(rc, () -> {
                JsonArray arr = new JsonArray();
                for (AuditLog.Entry e : ctx.audit().query(action, target, before, limit)) {
                    arr.add(new JsonObject().put("id", e.id()).put("tsMs", e.tsMs()).put("actor", e.actor())
                            .put("actorId", e.actorId()).put("action", e.action()).put("target", e.target())
                            .put("detail", e.detail()));
                }
                return new JsonObject().put("entries", arr);
            });
        }).query("action", "action prefix, e.g. rollout.").query("target", "exact target, e.g. device:pump-7")
                .query("before", "entries with id below this (paging)").query("limit", "1-1000, default 100");
    }

    static JsonObject tokenJson(ApiTokens.TokenInfo t) {
        return new JsonObject().put("tokenId", t.tokenId()).put("name", t.name()).put("role", t.role().wireName())
                .put("createdMs", t.createdMs()).put("revokedMs", t.revokedMs());
    }
}
