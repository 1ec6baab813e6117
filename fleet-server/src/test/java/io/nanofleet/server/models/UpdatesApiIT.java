package io.nanofleet.server.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.server.Await;
import io.nanofleet.server.FleetServer;
import io.nanofleet.server.Http;
import io.nanofleet.server.ServerConfig;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's path through the real server over HTTP: upload a model (larger than the API's JSON
 * body limit), list it, fetch TUF metadata and the target (whole and by Range), start a rollout, pause
 * and abort it; with the errors an operator can hit on the way, and the audit log entries.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpdatesApiIT {
    @TempDir
    static Path dataDir;
    FleetServer server;
    String admin;
    final HttpClient http = HttpClient.newHttpClient();
    final byte[] model = new byte[200_000];

    @BeforeAll
    void start() {
        new Random(3).nextBytes(model);
        server = new FleetServer(ServerConfig.builder().onlineTargetsKey(true).mqttsPort(0).coapPort(0).httpHost("127.0.0.1").httpPort(0)
                .mqttHost("127.0.0.1").mqttPort(0).dataDir(dataDir).build()).start();
        admin = server.adminToken();
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    String api() {
        return "http://127.0.0.1:" + server.httpPort() + "/api/v1";
    }

    HttpResponse<String> upload(Map<String, String> fields, byte[] file, String token) throws Exception {
        String boundary = "nf" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Map.Entry<String, String> f : fields.entrySet()) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.getKey() + "\"\r\n\r\n"
                    + f.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        if (file != null) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"model\"; filename=\"m.nfm\"\r\n"
                    + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.writeBytes(file);
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api() + "/models"))
                .header("content-type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
        if (token != null) {
            b.header("authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void uploadServeAndRollOutOverTheApi() throws Exception {
        Map<String, String> fields = Map.of("name", "models/big.nfm", "kind", "anomaly-model", "hardwareId", "rpi4-arm64",
                "releaseCounter", "2");
        assertEquals(401, upload(fields, model, null).statusCode(), "uploads need a token");
        HttpResponse<String> noName = upload(Map.of("kind", "anomaly-model"), model, admin);
        assertEquals(400, noName.statusCode());
        assertTrue(noName.body().contains("'name'"), noName.body());
        HttpResponse<String> badKind = upload(Map.of("name", "models/x.nfm", "kind", "firmware", "hardwareId", "a",
                "releaseCounter", "1"), model, admin);
        assertEquals(400, badKind.statusCode(), badKind.body());

        HttpResponse<String> ok = upload(fields, model, admin);
        assertEquals(201, ok.statusCode(), ok.body());
        assertEquals(model.length, new JsonObject(ok.body()).getLong("length"));
        assertEquals("models/big.nfm",
                Http.get(api() + "/models", admin).json().getJsonArray("models").getJsonObject(0).getString("name"));

        // Typed refusals as the REST edge answers them.
        HttpResponse<String> badName = upload(Map.of("name", "../x.nfm", "kind", "anomaly-model", "hardwareId", "a",
                "releaseCounter", "1"), model, admin);
        assertEquals(400, badName.statusCode(), badName.body());
        assertTrue(badName.body().contains("relative path"), badName.body());
        Http.Response unknownModel = Http.post(api() + "/devices/d-9/model", "{\"model\":\"models/none.nfm\"}", admin);
        assertEquals(404, unknownModel.status());
        assertEquals("no model named models/none.nfm in the repository", unknownModel.json().getString("error"));
        Http.Response assigned = Http.post(api() + "/devices/d-9/model", "{\"model\":\"models/big.nfm\"}", admin);
        assertEquals(202, assigned.status(), assigned.body());
        assertEquals(model.length, assigned.json().getLong("length"));
        Http.Response unknownDevice = Http.post(api() + "/devices/ghost-9/commands", "{\"action\":\"ping\"}", admin);
        assertEquals(404, unknownDevice.status());
        assertEquals("unknown device ghost-9", unknownDevice.json().getString("error"));

        // Public metadata and targets, as devices fetch them.
        assertEquals(200, Http.get(api() + "/tuf/1.root.json").status());
        assertEquals(200, Http.get(api() + "/tuf/timestamp.json").status());
        assertEquals(404, Http.get(api() + "/tuf/..%2Fkeys%2Fpassword").status());
        HttpResponse<byte[]> whole = http.send(HttpRequest.newBuilder(URI.create(api() + "/targets/models/big.nfm")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, whole.statusCode());
        assertArrayEquals(model, whole.body());
        HttpResponse<byte[]> part = http.send(HttpRequest.newBuilder(URI.create(api() + "/targets/models/big.nfm"))
                .header("range", "bytes=150000-").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, part.statusCode());
        assertEquals("bytes 150000-199999/200000", part.headers().firstValue("content-range").orElse(""));
        assertArrayEquals(java.util.Arrays.copyOfRange(model, 150_000, 200_000), part.body());
        assertEquals(416, http.send(HttpRequest.newBuilder(URI.create(api() + "/targets/models/big.nfm"))
                .header("range", "bytes=300000-").build(), HttpResponse.BodyHandlers.discarding()).statusCode());

        // Rollouts: validation, then a rollout to two (not connected) known devices, paused and aborted.
        for (String d : new String[] {"d-1", "d-2"}) {
            server.gateway().ingest(io.nanofleet.protocols.Topics.parse(io.nanofleet.protocols.Topics.state(d)),
                    io.nanofleet.protocols.Codecs.STATE.encode(io.nanofleet.protocols.v1.DeviceState.newBuilder().setDeviceId(d)
                            .setStatus(io.nanofleet.protocols.v1.DeviceState.Status.OFFLINE).build()));
        }
        assertTrue(server.writer().flush(10_000));
        assertEquals(400, Http.post(api() + "/rollouts", "{\"model\":\"models/none.nfm\"}", admin).status());
        assertEquals(400, Http.post(api() + "/rollouts",
                "{\"model\":\"models/big.nfm\",\"devices\":[\"d-1\"],\"waves\":[\"0%\"]}", admin).status());
        Http.Response created = Http.post(api() + "/rollouts", "{\"model\":\"models/big.nfm\",\"devices\":[\"d-1\",\"d-2\"],"
                + "\"waves\":[\"1\",\"100%\"],\"installTimeoutMs\":600000}", admin);
        assertEquals(201, created.status(), created.body());
        String id = created.json().getString("id");
        Await.until(Duration.ofSeconds(20), "first wave assigned", () -> Http.get(api() + "/rollouts/" + id, admin).json(),
                j -> "INSTALLING".equals(j.getJsonArray("waves").getJsonObject(0).getString("state")));
        assertEquals(202, Http.post(api() + "/rollouts/" + id + "/pause", "{}", admin).status());
        Await.until(Duration.ofSeconds(20), "paused", () -> Http.get(api() + "/rollouts/" + id, admin).json(),
                j -> "PAUSED".equals(j.getString("state")));
        assertEquals(202, Http.post(api() + "/rollouts/" + id + "/abort", "{}", admin).status());
        JsonObject aborted = Await.until(Duration.ofSeconds(20), "aborted", () -> Http.get(api() + "/rollouts/" + id, admin).json(),
                j -> "ABORTED".equals(j.getString("state")));
        assertEquals(404, Http.post(api() + "/rollouts/ro-none/pause", "{}", admin).status());
        assertTrue(aborted.getJsonArray("steps").size() >= 4, aborted.encodePrettily());

        // The audit log has the operator's actions and the engine's steps.
        String audit = Http.get(api() + "/audit?limit=100", admin).body();
        for (String action : new String[] {"model.publish", "rollout.create", "rollout.wave_started", "rollout.pause-requested",
                "rollout.paused", "rollout.aborted"}) {
            assertTrue(audit.contains("\"" + action + "\""), action + " missing from " + audit);
        }
    }
}
