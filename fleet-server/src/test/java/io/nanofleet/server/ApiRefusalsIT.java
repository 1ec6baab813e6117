package io.nanofleet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.ChannelSummary;
import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.InstallProgress;
import io.nanofleet.protocols.v1.TelemetryBatch;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, items 8, 10 and 11 through the real server (HTTP, embedded broker, SQLite): inputs that must be
 * refused with a clear 4xx, devices that can be deleted, revoked devices that show as such, what /metrics
 * counts, and what the broker keeps.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiRefusalsIT {
    @TempDir
    static Path dataDir;
    FleetServer server;
    String admin;

    @BeforeAll
    void start() throws Exception {
        server = new FleetServer(ServerConfig.builder().onlineTargetsKey(true).mqttsPort(0).coapPort(0).httpPort(0).mqttPort(0).dataDir(dataDir).build())
                .start();
        admin = server.adminToken();
        for (String id : new String[] {"ro-a", "ro-b", "ro-c", "gone-1", "ev-1"}) {
            devState(id);
        }
        Map<String, String> fields = Map.of("name", "models/ok.nfm", "kind", "anomaly-model", "hardwareId", "sim-hw",
                "releaseCounter", "1");
        HttpResponse<String> up = TestModels.upload(api(), fields, TestModels.anomalyModel(7), admin);
        assertEquals(201, up.statusCode(), up.body());
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

    void devState(String id) throws Exception {
        server.gateway().ingest(Topics.parse(Topics.state(id)), Codecs.STATE.encode(DeviceState.newBuilder().setDeviceId(id)
                .setStatus(DeviceState.Status.ONLINE).build()));
        assertTrue(server.writer().flush(10_000));
    }

    String metrics() throws Exception {
        return Http.get("http://127.0.0.1:" + server.httpPort() + "/metrics").body();
    }

    // ---- item 10: rollouts

    @Test
    void rolloutsRefuseUnknownDevicesUnknownFieldsOverlapAndResumeAfterAbort() throws Exception {
        Http.Response unknownDevice = Http.post(api() + "/rollouts",
                "{\"model\":\"models/ok.nfm\",\"devices\":[\"ro-a\",\"ghost-1\",\"ghost-2\"]}", admin);
        assertEquals(400, unknownDevice.status(), unknownDevice.body());
        assertTrue(unknownDevice.json().getString("error").contains("ghost-1, ghost-2"), unknownDevice.body());
        assertFalse(unknownDevice.json().getString("error").contains("ro-a"), unknownDevice.body());

        Http.Response unknownField = Http.post(api() + "/rollouts",
                "{\"model\":\"models/ok.nfm\",\"devices\":[\"ro-a\"],\"wave\":[\"100%\"]}", admin);
        assertEquals(400, unknownField.status(), unknownField.body());
        assertTrue(unknownField.json().getString("error").contains("unknown field wave"), unknownField.body());
        Http.Response unknownThreshold = Http.post(api() + "/rollouts",
                "{\"model\":\"models/ok.nfm\",\"devices\":[\"ro-a\"],\"thresholds\":{\"maxRestart\":1}}", admin);
        assertEquals(400, unknownThreshold.status(), unknownThreshold.body());
        assertTrue(unknownThreshold.json().getString("error").contains("thresholds.maxRestart"), unknownThreshold.body());

        Http.Response first = Http.post(api() + "/rollouts", "{\"model\":\"models/ok.nfm\",\"devices\":[\"ro-a\",\"ro-b\"],"
                + "\"waves\":[\"100%\"],\"installTimeoutMs\":600000}", admin);
        assertEquals(201, first.status(), first.body());
        String id = first.json().getString("id");
        Http.Response overlap = Http.post(api() + "/rollouts",
                "{\"model\":\"models/ok.nfm\",\"devices\":[\"ro-b\",\"ro-c\"],\"waves\":[\"100%\"]}", admin);
        assertEquals(409, overlap.status(), overlap.body());
        assertTrue(overlap.json().getString("error").contains(id) && overlap.json().getString("error").contains("ro-b")
                && !overlap.json().getString("error").contains("ro-c"), overlap.body());

        assertEquals(202, Http.post(api() + "/rollouts/" + id + "/abort", "{}", admin).status());
        // Queued abort: a resume sent before the leader applies it must not replace it.
        Http.Response early = Http.post(api() + "/rollouts/" + id + "/resume", "{}", admin);
        if (early.status() != 409) {
            assertEquals(409, early.status(), "resume after abort: " + early.body());
        }
        Await.until(Duration.ofSeconds(20), "aborted", () -> Http.get(api() + "/rollouts/" + id, admin).json(),
                j -> "ABORTED".equals(j.getString("state")));
        Http.Response resumed = Http.post(api() + "/rollouts/" + id + "/resume", "{}", admin);
        assertEquals(409, resumed.status(), resumed.body());
        assertTrue(resumed.json().getString("error").contains("aborted"), resumed.body());
        assertEquals(404, Http.post(api() + "/rollouts/ro-none/resume", "{}", admin).status());
        // Aborted: its devices are free for the next rollout.
        Http.Response next = Http.post(api() + "/rollouts",
                "{\"model\":\"models/ok.nfm\",\"devices\":[\"ro-b\",\"ro-c\"],\"waves\":[\"100%\"]}", admin);
        assertEquals(201, next.status(), next.body());
        Http.post(api() + "/rollouts/" + next.json().getString("id") + "/abort", "{}", admin);
    }

    // ---- item 11 and 12: refusals that say what to do

    @Test
    void every401NamesTheRoleTheRouteNeeds() throws Exception {
        Http.Response viewer = Http.get(api() + "/devices", null);
        assertEquals(401, viewer.status());
        assertTrue(viewer.json().getString("error").startsWith("this route needs a bearer token with role viewer or higher"),
                viewer.body());
        Http.Response operator = Http.post(api() + "/devices/ro-a/commands", "{\"action\":\"ping\"}", "nft_wrong");
        assertEquals(401, operator.status());
        assertTrue(operator.json().getString("error").contains("this route needs a bearer token with role operator or higher"),
                operator.body());
        Http.Response adminOnly = Http.delete(api() + "/devices/ro-a", null);
        assertEquals(401, adminOnly.status());
        assertTrue(adminOnly.json().getString("error").startsWith("this route needs a bearer token with role admin"),
                adminOnly.body());
    }

    @Test
    void aJsonRouteSentAFormAnswers415() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api() + "/tokens"))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"x\",\"role\":\"viewer\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(415, r.statusCode(), r.body());
        assertTrue(r.body().contains("send Content-Type: application/json"), r.body());
    }

    @Test
    void limitIsHonouredOnSummariesAndEvents() throws Exception {
        for (int seq = 1; seq <= 5; seq++) {
            server.gateway().ingest(Topics.parse(Topics.telemetry("ev-1")), Codecs.TELEMETRY.encode(TelemetryBatch.newBuilder()
                    .setDeviceId("ev-1").setSequence(seq).setWindowEndMs(seq * 1000L)
                    .addChannels(ChannelSummary.newBuilder().setChannel("t").setCount(1)).build()));
        }
        assertTrue(server.writer().flush(10_000));
        assertEquals(5, Http.get(api() + "/devices/ev-1/summaries", admin).json().getJsonArray("summaries").size());
        assertEquals(2, Http.get(api() + "/devices/ev-1/summaries?limit=2", admin).json().getJsonArray("summaries").size());
        assertEquals(400, Http.get(api() + "/devices/ev-1/summaries?limit=0", admin).status());
        assertEquals(400, Http.get(api() + "/devices/ev-1/events?limit=x", admin).status());
    }

    @Test
    void theEventsApiShowsTheInstallResultMessage() throws Exception {
        server.gateway().ingest(Topics.parse(Topics.events("ev-1")), Codecs.EVENT.encode(Event.newBuilder().setDeviceId("ev-1")
                .setEventId("inst-1").setSequence(1).setTimestampMs(1000).setInstallProgress(InstallProgress.newBuilder()
                        .setTargetName("models/ok.nfm").setResult(8).setMessage("model channels differ from the device's"))
                .build()));
        assertTrue(server.writer().flush(10_000));
        JsonObject e = Http.get(api() + "/devices/ev-1/events?limit=1", admin).json().getJsonArray("events").getJsonObject(0);
        assertEquals("model channels differ from the device's", e.getJsonObject("install").getString("message"), e.encode());
        assertEquals(8, e.getJsonObject("install").getInteger("result"));
    }

    @Test
    void aRevokedDeviceShowsRevokedAndGetsNoCommands() throws Exception {
        String token = Http.post(api() + "/enrollment-tokens", "{\"deviceId\":\"rev-1\"}", admin).json().getString("token");
        DeviceCerts d = new DeviceCerts("rev-1");
        assertEquals(200, Http.post(api() + "/enroll", new JsonObject().put("token", token).put("csr", d.csr("rev-1")).encode())
                .status());
        assertEquals("offline", Http.get(api() + "/devices/rev-1", admin).json().getString("status"));
        assertEquals(200, Http.post(api() + "/devices/rev-1/revoke", "{}", admin).status());
        JsonObject dev = Http.get(api() + "/devices/rev-1", admin).json();
        assertEquals("revoked", dev.getString("status"), dev.encode());
        assertTrue(dev.getBoolean("revoked"));
        Http.Response cmd = Http.post(api() + "/devices/rev-1/commands", "{\"action\":\"ping\"}", admin);
        assertEquals(409, cmd.status(), cmd.body());
        assertTrue(cmd.json().getString("error").contains("revoked"), cmd.body());
    }

    @Test
    void enrollmentNeverAdvertisesPortZero() throws Exception {
        String token = Http.post(api() + "/enrollment-tokens", "{\"deviceId\":\"port-1\"}", admin).json().getString("token");
        JsonObject answer = Http.post(api() + "/enroll", new JsonObject().put("token", token)
                .put("csr", new DeviceCerts("port-1").csr("port-1")).encode()).json();
        assertFalse(answer.getString("mqttUrl").endsWith(":0"), answer.getString("mqttUrl"));
        assertTrue(answer.getString("coapUrl") == null || !answer.getString("coapUrl").endsWith(":0"), answer.getString("coapUrl"));
        assertNotEquals(null, answer.getString("coapUrl"), "CoAP runs (on a free port) and is advertised with it");
    }

    @Test
    void theDashboardPageIsRevalidatedNotImmutable() throws Exception {
        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.httpPort() + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        String cache = page.headers().firstValue("cache-control").orElse("");
        assertEquals("no-cache", cache);
    }

    // ---- item 8: deleting devices, session takeovers

    @Test
    void aDeviceCanBeDeletedWithItsRetainedStateAndAudit() throws Exception {
        MqttAsyncClient dev = client("gone-2");
        dev.publish(Topics.state("gone-2"), retained(Codecs.STATE.encode(DeviceState.newBuilder().setDeviceId("gone-2")
                .setStatus(DeviceState.Status.ONLINE).build()))).waitForCompletion(10_000);
        Await.until(Duration.ofSeconds(10), "registered", () -> Http.get(api() + "/devices/gone-2", admin).status(), s -> s == 200);
        assertTrue(retainedState("gone-2") != null, "the broker keeps the state before the delete");

        assertTrue(server.writer().flush(10_000)); // the last-seen write of its state is done: it would re-create the row
        assertEquals(404, Http.delete(api() + "/devices/ghost-9", admin).status());
        Http.Response del = Http.delete(api() + "/devices/gone-2", admin);
        assertEquals(200, del.status(), del.body());
        assertTrue(del.json().getBoolean("disconnected"), "a dev device's live session ends");
        assertEquals(404, Http.get(api() + "/devices/gone-2", admin).status());
        assertNull(retainedState("gone-2"), "no retained state left on the broker");
        assertTrue(Http.get(api() + "/audit?action=device.delete", admin).body().contains("device:gone-2"));
        stop(dev);
    }

    @Test
    void aSessionTakeoverOnThePlainListenerIsCountedAndRecorded() throws Exception {
        MqttAsyncClient first = client("twin-1");
        MqttAsyncClient second = client("twin-1");
        Await.until(Duration.ofSeconds(10), "takeover counted", this::metrics,
                m -> m.contains("nanofleet_session_takeovers_total{listener=\"plain\"} 1.0"));
        Await.until(Duration.ofSeconds(10), "takeover in the audit log",
                () -> Http.get(api() + "/audit?action=device.session-takeover", admin).body(), b -> b.contains("device:twin-1"));
        second.disconnect().waitForCompletion(5000);
        stop(second);
        stop(first);
    }

    // ---- item 11: ACL denials counted; rejected uplinks refused and never retained

    @Test
    void aclDenialsAreCountedWithoutDeviceLabels() throws Exception {
        MqttAsyncClient c = client("acl-1");
        try {
            c.subscribe(Topics.cmd("other-1"), 1).waitForCompletion(10_000);
        } catch (MqttException e) {
            // refused either way
        }
        try {
            c.publish(Topics.telemetry("other-1"), new MqttMessage(new byte[] {1})).waitForCompletion(10_000);
        } catch (MqttException e) {
            // refused
        }
        Await.until(Duration.ofSeconds(10), "denials counted", this::metrics,
                m -> m.contains("nanofleet_acl_denied_total{activity=\"subscribe\"}") && m.contains("nanofleet_acl_denied_total{activity=\"publish\"}"));
        assertFalse(metrics().contains("acl-1"));
        stop(c);
    }

    @Test
    void rejectedStateAndEventsGetAFailurePubackAndAMalformedStateIsNotRetained() throws Exception {
        MqttAsyncClient c = client("bad-1");
        for (String topic : new String[] {Topics.state("bad-1"), Topics.events("bad-1"), Topics.telemetry("bad-1")}) {
            assertEquals(0x99, pubackCode(c.publish(topic, retained(new byte[] {1, 2, 3, 4, 5}))), topic);
        }
        assertNull(retainedState("bad-1"), "the broker keeps no undecodable state");
        stop(c);
    }

    private static int pubackCode(IMqttToken token) {
        try {
            token.waitForCompletion(10_000);
            int[] codes = token.getReasonCodes();
            return codes == null || codes.length == 0 ? 0 : codes[0];
        } catch (MqttException e) {
            return e.getReasonCode();
        }
    }

    private static void stop(MqttAsyncClient c) throws MqttException {
        if (c.isConnected()) {
            c.disconnectForcibly(1000);
        }
        c.close(true);
    }

    private static MqttMessage retained(byte[] payload) {
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        m.setRetained(true);
        return m;
    }

    private MqttAsyncClient client(String id) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(server.brokerUri(), id, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setAutomaticReconnect(false);
        o.setCleanStart(true);
        c.connect(o).waitForCompletion(20_000);
        return c;
    }

    /** The broker's retained state of a device (HiveMQ's retained-message store); null when none. */
    private byte[] retainedState(String id) throws Exception {
        byte[] payload = server.broker().retainedPayload(Topics.state(id)).orElse(null);
        return payload == null || payload.length == 0 ? null : payload;
    }
}
