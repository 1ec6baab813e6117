package io.nanofleet.server.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.server.Await;
import io.nanofleet.server.FleetServer;
import io.nanofleet.server.Http;
import io.nanofleet.server.ServerConfig;
import io.nanofleet.ota.repo.TargetKind;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
    /** A real detector model, larger than the API's 64 KiB JSON body limit. */
    final byte[] model = TestModels.anomaly(List.of("Accelerometer1RMS", "Current", "Pressure", "Temperature"), 8192, 3);

    @BeforeAll
    void start() {
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
        return upload(fields, file, null, token);
    }

    HttpResponse<String> upload(Map<String, String> fields, byte[] file, byte[] targetsMetadata, String token) throws Exception {
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
        if (targetsMetadata != null) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"targetsMetadata\"; "
                    + "filename=\"targets.json\"\r\nContent-Type: application/json\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.writeBytes(targetsMetadata);
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

    static void assertRefused(int status, String message, HttpResponse<String> r) {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(new JsonObject(r.body()).getString("error").contains(message), r.body());
    }

    /** Issue 12, item 9: an upload must be a loadable model of its kind, and a published name never changes. */
    @Test
    void uploadsAreCheckedAndPublishedTargetsAreImmutable() throws Exception {
        Map<String, String> v1 = Map.of("name", "models/checked-v1.nfm", "kind", "anomaly-model", "hardwareId", "rpi4-arm64",
                "releaseCounter", "5");
        byte[] noise = new byte[50_000];
        new Random(3).nextBytes(noise);
        assertRefused(400, "not an anomaly model the device runtime can load", upload(v1, noise, admin));
        assertRefused(400, "model input has 2 values but the metadata describes 3 channels",
                upload(v1, TestModels.withSchema(List.of("a", "b", "c"), 2, 16, 1), admin));
        Map<String, String> cmd = Map.of("name", "models/cmd.nfm", "kind", "command-model", "hardwareId", "rpi4-arm64",
                "releaseCounter", "1");
        assertRefused(400, "not a command model the device runtime can load", upload(cmd, model, admin));
        HttpResponse<String> cmdOk = upload(cmd, io.nanofleet.intents.model.CommandModel.bundled().toBytes(), admin);
        assertEquals(201, cmdOk.statusCode(), cmdOk.body());
        assertEquals("command-model", new JsonObject(cmdOk.body()).getString("kind"), cmdOk.body());

        byte[] first = TestModels.anomaly(List.of("Current", "Pressure"), 16, 1);
        HttpResponse<String> ok = upload(v1, first, admin);
        assertEquals(201, ok.statusCode(), ok.body());
        HttpResponse<String> same = upload(v1, first, admin);
        assertEquals(201, same.statusCode(), "an identical re-upload is idempotent: " + same.body());
        assertEquals(new JsonObject(ok.body()), new JsonObject(same.body()));

        byte[] retrained = TestModels.anomaly(List.of("Current", "Pressure"), 16, 2);
        assertRefused(409, "target models/checked-v1.nfm is published and immutable; publish under a new name",
                upload(v1, retrained, admin));
        Map<String, String> lower = new java.util.HashMap<>(v1);
        lower.put("releaseCounter", "4");
        assertRefused(409, "is published with release counter 5; 4 would lower it", upload(lower, retrained, admin));

        // Offline-signed: the kind comes from the signed custom fields, and the same rules hold.
        io.nanofleet.ota.crypto.TufSigner targetsKey = RepositoryKeys.open(dataDir).load("targets").orElseThrow();
        Path tuf = dataDir.resolve("tuf");
        Map<String, String> name = Map.of("name", "models/checked-v1.nfm");
        assertRefused(409, "is published and immutable", upload(name, retrained,
                OfflineTargets.next(tuf, targetsKey, "models/checked-v1.nfm", retrained, TargetKind.ANOMALY_MODEL, 6), admin));
        assertRefused(409, "would lower it", upload(name, retrained,
                OfflineTargets.next(tuf, targetsKey, "models/checked-v1.nfm", retrained, TargetKind.ANOMALY_MODEL, 1), admin));
        Map<String, String> v2 = Map.of("name", "models/checked-v2.nfm");
        assertRefused(400, "not an anomaly model the device runtime can load", upload(v2, noise,
                OfflineTargets.next(tuf, targetsKey, "models/checked-v2.nfm", noise, TargetKind.ANOMALY_MODEL, 6), admin));
        assertRefused(400, "kind agent cannot be validated by this server yet", upload(v2, retrained,
                OfflineTargets.next(tuf, targetsKey, "models/checked-v2.nfm", retrained, TargetKind.AGENT, 6), admin));
        HttpResponse<String> signed = upload(v2, retrained,
                OfflineTargets.next(tuf, targetsKey, "models/checked-v2.nfm", retrained, TargetKind.ANOMALY_MODEL, 6), admin);
        assertEquals(201, signed.statusCode(), signed.body());

        HttpResponse<byte[]> served = http.send(HttpRequest.newBuilder(URI.create(api() + "/targets/models/checked-v1.nfm"))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertArrayEquals(first, served.body(), "the first upload is still what devices get");
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
        assertTrue(model.length > 64 * 1024, "larger than the JSON body limit: " + model.length);
        assertTrue(Http.get(api() + "/models", admin).json().getJsonArray("models").stream()
                .anyMatch(m -> "models/big.nfm".equals(((JsonObject) m).getString("name"))));

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
                .header("range", "bytes=" + (model.length - 50_000) + "-").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, part.statusCode());
        assertEquals("bytes " + (model.length - 50_000) + "-" + (model.length - 1) + "/" + model.length,
                part.headers().firstValue("content-range").orElse(""));
        assertArrayEquals(java.util.Arrays.copyOfRange(model, model.length - 50_000, model.length), part.body());
        assertEquals(416, http.send(HttpRequest.newBuilder(URI.create(api() + "/targets/models/big.nfm"))
                .header("range", "bytes=" + model.length + "-").build(), HttpResponse.BodyHandlers.discarding()).statusCode());

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
