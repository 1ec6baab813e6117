package io.nanofleet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.nanofleet.server.api.OpenApiDocument;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Operator tokens and roles, the audit log, and the OpenAPI document against the routes actually mounted. */
class OperatorApiIT {
    @TempDir
    static Path dataDir;
    static FleetServer server;
    static String admin;

    @BeforeAll
    static void start() {
        server = new FleetServer(ServerConfig.builder().onlineTargetsKey(true).mqttsPort(0).coapPort(0).httpHost("127.0.0.1").httpPort(0).mqttHost("127.0.0.1").mqttPort(0)
                .dataDir(dataDir).build()).start();
        admin = server.adminToken();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /**
     * Routes devices call, which have no operator token: enrollment (the one-time token is the credential),
     * TUF metadata and update targets (verified by signatures, not by who fetches them). Any other open
     * /api/v1 route fails the test below.
     */
    static final java.util.List<String> DEVICE_FACING = java.util.List.of("/api/v1/enroll", "/api/v1/tuf/", "/api/v1/targets/");

    static String url(String path) {
        return "http://127.0.0.1:" + server.httpPort() + path;
    }

    static String createToken(String name, String role) throws Exception {
        Http.Response r = Http.post(url("/api/v1/tokens"), new JsonObject().put("name", name).put("role", role).encode(), admin);
        assertEquals(201, r.status(), r.body());
        return r.json().getString("token");
    }

    @Test
    void bootstrapAdminTokenIsInTheDataDirOwnerOnly() throws Exception {
        assertNotNull(admin);
        Path file = dataDir.resolve("admin-token");
        assertEquals(admin, Files.readString(file).trim());
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE), Files.getPosixFilePermissions(file));
    }

    @Test
    void everyOperatorRouteNeedsAToken() throws Exception {
        assertEquals(200, Http.get(url("/health")).status());
        for (Route route : server.api().router().getRoutes()) {
            String path = route.getPath();
            if (path == null || !path.startsWith("/api/v1/") || DEVICE_FACING.stream().anyMatch(path::startsWith)
                    || route.methods() == null || route.methods().isEmpty()) {
                continue; // all-method routes are body handlers in front of the real ones
            }
            String concrete = path.replaceAll(":[A-Za-z0-9_]+", "x1");
            for (HttpMethod m : route.methods()) {
                Http.Response r = Http.method(m.name(), url(concrete), "{}", null);
                assertEquals(401, r.status(), m + " " + path + " answered without a token: " + r.body());
                assertTrue(r.json().getString("error").contains("Bearer"), r.body());
                Http.Response bad = Http.method(m.name(), url(concrete), "{}", "nft_not-a-real-token");
                assertEquals(401, bad.status(), m + " " + path + " accepted an invalid token: " + bad.body());
            }
        }
    }

    @Test
    void rolesAreEnforcedAndRevokedTokensStopWorking() throws Exception {
        String viewer = createToken("dash", "viewer");
        String operator = createToken("ops", "operator");
        assertEquals(200, Http.get(url("/api/v1/devices"), viewer).status());
        Http.Response denied = Http.post(url("/api/v1/devices/pump-1/commands"), "{\"action\":\"ping\"}", viewer);
        assertEquals(403, denied.status(), denied.body());
        assertTrue(denied.json().getString("error").contains("operator"), denied.body());
        assertEquals(403, Http.get(url("/api/v1/audit"), operator).status());
        assertEquals(403, Http.post(url("/api/v1/tokens"), "{\"name\":\"x\",\"role\":\"admin\"}", operator).status());

        JsonArray tokens = Http.get(url("/api/v1/tokens"), admin).json().getJsonArray("tokens");
        String viewerId = null;
        for (int i = 0; i < tokens.size(); i++) {
            JsonObject t = tokens.getJsonObject(i);
            assertTrue(!t.containsKey("token") && !t.encode().contains(viewer), "secrets never listed: " + t);
            if (t.getString("name").equals("dash")) {
                viewerId = t.getString("tokenId");
            }
        }
        assertNotNull(viewerId);
        assertEquals(200, Http.delete(url("/api/v1/tokens/" + viewerId), admin).status());
        assertEquals(401, Http.get(url("/api/v1/devices"), viewer).status(), "revoked token refused at once");
        assertEquals(404, Http.delete(url("/api/v1/tokens/" + viewerId), admin).status(), "second revoke: not active");
    }

    @Test
    void badTokenRequestsAreRejectedWithAReason() throws Exception {
        Http.Response r = Http.post(url("/api/v1/tokens"), "{\"name\":\"x\",\"role\":\"superuser\"}", admin);
        assertEquals(400, r.status());
        assertTrue(r.json().getString("error").contains("role"), r.body());
        assertEquals(400, Http.post(url("/api/v1/tokens"), "not json", admin).status());
        assertEquals(400, Http.get(url("/api/v1/audit?limit=abc"), admin).status());
    }

    @Test
    void auditLogRecordsWhoWhatWhenAndTarget() throws Exception {
        long before = System.currentTimeMillis();
        createToken("audited", "viewer");
        JsonArray entries = Http.get(url("/api/v1/audit?action=token.create"), admin).json().getJsonArray("entries");
        JsonObject e = null;
        for (int i = 0; i < entries.size(); i++) {
            if (entries.getJsonObject(i).getString("detail").contains("\"audited\"")) {
                e = entries.getJsonObject(i);
            }
        }
        assertNotNull(e, entries.encode());
        assertEquals("bootstrap-admin", e.getString("actor"));
        assertTrue(e.getString("target").startsWith("token:"));
        assertTrue(e.getLong("tsMs") >= before - 1000);
        // Append-only is enforced by the database itself.
        try (var c = server.store().connection(); var st = c.createStatement()) {
            st.executeUpdate("DELETE FROM audit_log");
            fail("the audit log accepted a DELETE");
        } catch (java.sql.SQLException expected) {
            assertTrue(expected.getMessage().contains("append-only"), expected.getMessage());
        }
    }

    @Test
    void openApiDocumentDescribesEveryMountedRoute() throws Exception {
        JsonObject doc = Http.get(url("/api/v1/openapi.json"), admin).json();
        assertEquals("3.0.3", doc.getString("openapi"));
        JsonObject paths = doc.getJsonObject("paths");
        int checked = 0;
        for (Route route : server.api().router().getRoutes()) {
            String path = route.getPath();
            if (path == null || path.equals("/") || path.equals("/*") || route.methods() == null || route.methods().isEmpty()) {
                continue; // the catch-all body handler and the dashboard's static files
            }
            String key = OpenApiDocument.toOpenApiPath(path);
            if (!route.isExactPath()) {
                // a prefix route (/api/v1/targets/*) must be documented by some path under that prefix
                key = paths.fieldNames().stream().filter(k -> k.startsWith(OpenApiDocument.toOpenApiPath(path))).findFirst().orElse(key);
            }
            JsonObject item = paths.getJsonObject(key);
            assertNotNull(item, "route " + path + " missing from openapi.json");
            for (HttpMethod m : route.methods()) {
                assertNotNull(item.getJsonObject(m.name().toLowerCase(Locale.ROOT)), m + " " + path + " missing from openapi.json");
                checked++;
            }
        }
        assertTrue(checked >= 8, "expected the API's routes, checked " + checked);
    }
}
