package io.nanofleet.server.api;

import io.nanofleet.server.api.auth.Role;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenAPI 3 description of the REST API, built from the routes as they are mounted
 * ({@link ApiRoutes}) so it cannot drift from what the server actually serves.
 */
public final class OpenApiDocument {
    private static final Pattern PARAM = Pattern.compile(":([A-Za-z0-9_]+)");
    private final Map<String, Map<String, Operation>> paths = new TreeMap<>();

    /** One documented operation; the fluent setters add detail beyond the summary. */
    public static final class Operation {
        private final String method;
        private final String path;
        private final Role role;
        private final String summary;
        private JsonObject requestExample;
        private final List<JsonObject> queryParams = new ArrayList<>();
        private final Map<String, String> responses = new TreeMap<>();
        private String contentType = "application/json";

        Operation(String method, String path, Role role, String summary) {
            this.method = method;
            this.path = path;
            this.role = role;
            this.summary = summary;
        }

        /** An example JSON request body. */
        public Operation body(JsonObject example) {
            requestExample = example;
            return this;
        }

        public Operation query(String name, String description) {
            queryParams.add(new JsonObject().put("name", name).put("in", "query").put("required", false)
                    .put("description", description).put("schema", new JsonObject().put("type", "string")));
            return this;
        }

        public Operation response(int status, String description) {
            responses.put(String.valueOf(status), description);
            return this;
        }

        /** The media type of the success response (default application/json). */
        public Operation produces(String mediaType) {
            contentType = mediaType;
            return this;
        }

        JsonObject toJson() {
            JsonObject op = new JsonObject().put("summary", summary)
                    .put("operationId", method + path.replaceAll("[^A-Za-z0-9]+", "_"));
            JsonArray params = new JsonArray();
            Matcher m = PARAM.matcher(path);
            while (m.find()) {
                params.add(new JsonObject().put("name", m.group(1)).put("in", "path").put("required", true)
                        .put("schema", new JsonObject().put("type", "string")));
            }
            queryParams.forEach(params::add);
            if (!params.isEmpty()) {
                op.put("parameters", params);
            }
            if (requestExample != null) {
                op.put("requestBody", new JsonObject().put("required", true).put("content", new JsonObject()
                        .put("application/json", new JsonObject().put("schema", new JsonObject().put("type", "object"))
                                .put("example", requestExample))));
            }
            JsonObject resp = new JsonObject();
            if (responses.keySet().stream().noneMatch(k -> k.startsWith("2"))) {
                resp.put("200", new JsonObject().put("description", "OK")
                        .put("content", new JsonObject().put(contentType, new JsonObject())));
            }
            responses.forEach((k, v) -> resp.put(k, new JsonObject().put("description", v)));
            if (role != null) {
                op.put("security", new JsonArray().add(new JsonObject().put("bearerAuth", new JsonArray())));
                op.put("x-required-role", role.wireName());
                resp.put("401", new JsonObject().put("description", "missing, unknown or revoked token"));
                resp.put("403", new JsonObject().put("description", "token lacks the " + role.wireName() + " role"));
            } else {
                op.put("security", new JsonArray());
            }
            op.put("responses", resp);
            return op;
        }
    }

    synchronized Operation add(HttpMethod method, String path, Role role, String summary) {
        String m = method.name().toLowerCase(Locale.ROOT);
        Operation op = new Operation(m, path, role, summary);
        paths.computeIfAbsent(toOpenApiPath(path), k -> new TreeMap<>()).put(m, op);
        return op;
    }

    /** {@code /devices/:id} becomes {@code /devices/{id}}. */
    public static String toOpenApiPath(String vertxPath) {
        return PARAM.matcher(vertxPath).replaceAll("{$1}");
    }

    public synchronized JsonObject toJson() {
        JsonObject p = new JsonObject();
        paths.forEach((path, ops) -> {
            JsonObject item = new JsonObject();
            ops.forEach((m, op) -> item.put(m, op.toJson()));
            p.put(path, item);
        });
        return new JsonObject()
                .put("openapi", "3.0.3")
                .put("info", new JsonObject().put("title", "NanoFleet fleet server API").put("version", "1")
                        .put("description", "Operator API. Send 'Authorization: Bearer <token>'; roles: viewer < operator < admin."))
                .put("paths", p)
                .put("components", new JsonObject().put("securitySchemes", new JsonObject()
                        .put("bearerAuth", new JsonObject().put("type", "http").put("scheme", "bearer"))));
    }
}
