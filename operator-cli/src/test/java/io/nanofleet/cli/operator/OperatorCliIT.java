package io.nanofleet.cli.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanofleet.agent.DeviceAgent;
import io.nanofleet.agent.enroll.Credentials;
import io.nanofleet.agent.enroll.Enroller;
import io.nanofleet.agent.sensor.SimulatedSensor;
import io.nanofleet.sim.DemoModels;
import io.nanofleet.sim.Fleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command against a live fleet server (embedded broker, SQLite) with four real simulated agents (the
 * agent's own classes, installing models through the signed update channel): output and exit codes, a
 * wrong token, an unreachable server, and rollouts watched from start to end. The CLI runs in-process with a
 * fake environment ({@link TestEnv}); {@link LauncherIT} runs the packaged jar.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorCliIT {
    static final String V1 = "models/anomaly-v1.nfm";
    static final String WRONG = "models/anomaly-v2-4ch.nfm";

    @TempDir
    static Path dir;
    LiveServer live;
    Fleet fleet;
    Path home;
    String viewer;
    String operator;

    @BeforeAll
    void start() throws Exception {
        live = new LiveServer(dir.resolve("server"), true);
        home = Files.createDirectories(dir.resolve("home"));
        Fleet.Spec spec = new Fleet.Spec(live.server.brokerUri(), 4, "sim-", 10, 1000)
                .withUpdates(new Fleet.Updates(live.url, Fleet.Updates.fetchRoot(live.url), dir.resolve("sim-devices"), 200));
        fleet = new Fleet(spec);
        fleet.start(n -> { });
        LiveServer.await(Duration.ofSeconds(90), "4 simulated devices online and scoring", () -> online() == 4
                && fleet.agents().stream().allMatch(a -> a.detector().scoredSamples() > 0));
        fleet.agents().get(3).close(); // sim-0004: known to the server, offline (its last will)
        LiveServer.await(Duration.ofSeconds(60), "sim-0004 offline", () -> online() == 3);
        viewer = live.token("dashboard", "viewer");
        operator = live.token("ops", "operator");
    }

    @AfterAll
    void stop() {
        if (fleet != null) {
            fleet.close();
        }
        if (live != null) {
            live.close();
        }
    }

    long online() {
        try {
            return live.server.store().devices().stream().filter(d -> d.online()).count();
        } catch (Exception e) {
            return -1;
        }
    }

    /** The CLI as the logged-in admin (the context file under {@link #home}). */
    TestEnv.Run cli(String... args) {
        return new TestEnv(home).run(args);
    }

    TestEnv.Run as(String token, String... args) {
        return new TestEnv(home).var("NANOFLEET_TOKEN", token).run(args);
    }

    static JsonNode json(TestEnv.Run r) {
        try {
            return Json.MAPPER.readTree(r.out());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + r, e);
        }
    }

    static void ok(TestEnv.Run r) {
        assertEquals(0, r.code(), r.toString());
    }

    @Test
    @Order(1)
    void loginRefusesAWrongTokenAndAnUnreachableServerThenSavesTheContext() throws Exception {
        Path ctx = home.resolve(".config/nanofleet/context.json");
        TestEnv.Run wrong = cli("login", "--server", live.url, "--token", "nft_wrong");
        assertEquals(ExitCodes.AUTH, wrong.code(), wrong.toString());
        assertTrue(wrong.err().startsWith("nanofleet: " + live.url + " refused this token: unknown or revoked API token"), wrong.err());
        assertTrue(wrong.err().contains("<data-dir>/admin-token") && wrong.err().contains("nothing was saved"), wrong.err());
        assertFalse(Files.exists(ctx));

        int closed = CliTest.freePort();
        TestEnv.Run down = cli("login", "--server", "http://127.0.0.1:" + closed, "--token", live.admin);
        assertEquals(ExitCodes.UNREACHABLE, down.code(), down.toString());
        assertTrue(down.err().contains("cannot reach http://127.0.0.1:" + closed + ": connection refused"), down.err());
        assertFalse(Files.exists(ctx));

        TestEnv.Run in = cli("login", "--server", live.url, "--token", live.admin);
        ok(in);
        assertEquals("Logged in to " + live.url + " (role admin); saved to " + ctx, in.out().strip());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ctx)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ctx.getParent())));

        TestEnv.Run who = cli("whoami");
        ok(who);
        assertEquals(List.of("server  " + live.url, "token   from the login context " + ctx, "role    admin"), who.out().strip().lines().toList());
        assertEquals("viewer", json(as(viewer, "whoami", "-o", "json")).path("role").asText());
        assertEquals("operator", json(as(operator, "whoami", "-o", "json")).path("role").asText());

        // A wrong token on any command, and a role that is not enough.
        TestEnv.Run stale = as("nft_stale", "devices", "list");
        assertEquals(ExitCodes.AUTH, stale.code());
        assertTrue(stale.err().contains("the server refused the token from NANOFLEET_TOKEN") && stale.err().contains("nanofleet login"), stale.err());
        TestEnv.Run forbidden = as(viewer, "devices", "revoke", "sim-0001", "--yes");
        assertEquals(ExitCodes.AUTH, forbidden.code());
        assertTrue(forbidden.err().contains("this route needs the admin role; your token 'dashboard' has viewer"), forbidden.err());
    }

    @Test
    @Order(2)
    void devicesListShowAndLabel() {
        TestEnv.Run list = cli("devices", "list");
        ok(list);
        List<String> lines = list.out().strip().lines().toList();
        assertTrue(lines.get(0).startsWith("DEVICE    STATUS   LAST SEEN"), lines.get(0));
        assertEquals(5, lines.size(), list.out());
        assertTrue(lines.get(1).matches("sim-0001  online   \\d+s ago .*dev"), lines.get(1));
        assertTrue(lines.get(4).startsWith("sim-0004  offline"), lines.get(4));
        JsonNode all = json(cli("devices", "list", "-o", "json"));
        assertEquals(4, all.path("count").asInt());
        assertEquals(3, all.path("online").asInt());

        ok(cli("devices", "label", "sim-0001", "group=plant-a", "tags=pump,north"));
        TestEnv.Run merged = cli("devices", "label", "sim-0001", "--add-tag", "east", "--remove-tag", "north");
        ok(merged);
        assertEquals(List.of("device  sim-0001", "group   plant-a", "tags    pump,east"), merged.out().strip().lines().toList());
        ok(cli("devices", "label", "sim-0002", "group=plant-a"));
        JsonNode plantA = json(cli("devices", "list", "--group", "plant-a", "-o", "json"));
        assertEquals(2, plantA.path("count").asInt());
        TestEnv.Run pumps = cli("devices", "list", "--tag", "pump");
        ok(pumps);
        assertEquals(2, pumps.out().strip().lines().count(), "header and sim-0001: " + pumps.out());
        TestEnv.Run none = cli("devices", "list", "--tag", "nothing");
        ok(none);
        assertEquals("", none.out());
        assertEquals("no device matches tag nothing", none.err().strip());

        TestEnv.Run show = cli("devices", "show", "sim-0001", "--events", "3");
        ok(show);
        assertTrue(show.out().contains("status        online") && show.out().contains("tags          east,pump"), show.out());
        assertTrue(show.out().contains("channels      "), show.out());
        TestEnv.Run unknown = cli("devices", "show", "nope-1");
        assertEquals(ExitCodes.FAILED, unknown.code());
        assertEquals("nanofleet: no device nope-1", unknown.err().lines().findFirst().orElse(""));
        TestEnv.Run badId = cli("devices", "show", "bad id!");
        assertEquals(ExitCodes.FAILED, badId.code(), "the server's own validation message: " + badId);
        assertTrue(badId.err().contains("(HTTP 400 from GET /api/v1/devices/bad%20id%21)"), badId.err());
    }

    @Test
    @Order(3)
    void commandsWaitForEveryResultAndTheExitCodeSaysWhetherAllSucceeded() {
        TestEnv.Run ping = cli("command", "send", "--device", "sim-0001", "ping", "note=hello");
        ok(ping);
        List<String> lines = ping.out().strip().lines().toList();
        assertEquals("DEVICE    ACTION  STATUS  TOOK", lines.get(0).substring(0, "DEVICE    ACTION  STATUS  TOOK".length()));
        assertTrue(lines.get(1).matches("sim-0001  ping    OK      \\S+ +pong"), lines.get(1));

        TestEnv.Run group = cli("command", "send", "--group", "plant-a", "ping", "-o", "json");
        ok(group);
        JsonNode batch = json(group);
        assertEquals(2, batch.path("count").asInt());
        assertEquals(2, batch.path("statuses").path("OK").asInt(), batch.toString());

        TestEnv.Run restart = cli("command", "send", "--tag", "pump", "restart");
        assertEquals(ExitCodes.FAILED, restart.code(), restart.toString());
        assertTrue(restart.out().contains("FAILED") && restart.out().contains("cannot restart itself"), restart.out());
        assertEquals("nanofleet: 1 of 1 command did not succeed (1 FAILED)", restart.err().strip());

        TestEnv.Run unknownAction = cli("command", "send", "--device", "sim-0002", "dance");
        assertEquals(ExitCodes.FAILED, unknownAction.code());
        assertTrue(unknownAction.out().contains("REJECTED"), unknownAction.out());

        TestEnv.Run offline = cli("command", "send", "--device", "sim-0004", "ping", "--wait", "2s");
        assertEquals(ExitCodes.FAILED, offline.code(), offline.toString());
        assertTrue(offline.out().contains("sim-0004  ping    SENT"), offline.out());
        assertTrue(offline.err().contains("1 of 1 command did not succeed (1 no answer within 2s)"), offline.err());
        assertTrue(offline.err().contains("nanofleet command show "), offline.err());

        TestEnv.Run noWait = cli("command", "send", "--device", "sim-0003", "self-test", "--no-wait");
        ok(noWait);
        String id = noWait.out().strip().lines().toList().get(1).replaceAll(".* ", "");
        assertTrue(noWait.out().contains("SENT"), noWait.out());
        assertTrue(id.matches("[0-9a-f-]{36}"), id);
        TestEnv.Run show = cli("command", "show", id);
        ok(show);
        assertTrue(show.out().contains("sim-0003  self-test"), show.out());
        String batchId = batch.path("batchId").asText();
        TestEnv.Run showBatch = cli("command", "show", batchId, "-o", "json");
        ok(showBatch);
        assertEquals(batchId, json(showBatch).path("batchId").asText());
        TestEnv.Run missing = cli("command", "show", "c-unknown");
        assertEquals(ExitCodes.FAILED, missing.code());
        assertTrue(missing.err().startsWith("nanofleet: no command or batch c-unknown"), missing.err());

        TestEnv.Run nobody = cli("command", "send", "--group", "nowhere", "ping");
        assertEquals(ExitCodes.FAILED, nobody.code());
        assertTrue(nobody.err().contains("no device matches group:nowhere (HTTP 404 from POST /api/v1/commands)"), nobody.err());
    }

    @Test
    @Order(4)
    void enrollTokenThenRevokeARealEnrolledDevice() throws Exception {
        TestEnv.Run t = cli("enroll-token", "--device", "pump-9", "--ttl", "10m", "--group", "plant-b", "--tag", "pump");
        ok(t);
        List<String> lines = t.out().strip().lines().toList();
        String token = lines.get(0).replaceFirst("^token +", "");
        assertEquals("device   pump-9", lines.get(1));
        assertTrue(lines.get(3).equals("enroll   nanofleet-agent enroll --server " + live.url + " --token " + token + " --device-id pump-9"),
                lines.get(3));
        Credentials creds = new Credentials(dir.resolve("pump-9"));
        new Enroller(null).enroll(live.url, token, "pump-9", "rpi4-arm64", DeviceAgent.VERSION, creds);
        assertEquals(ExitCodes.AUTH, as(operator, "enroll-token", "--device", "x-1").code(), "admin only");

        TestEnv.Run unconfirmed = cli("devices", "revoke", "pump-9");
        assertEquals(ExitCodes.USAGE, unconfirmed.code());
        assertTrue(unconfirmed.err().contains("add --yes"), unconfirmed.err());
        TestEnv.Run revoked = cli("devices", "revoke", "pump-9", "--yes");
        ok(revoked);
        assertTrue(revoked.out().matches("Revoked pump-9: 1 certificate \\([0-9a-f]+\\); it was not connected\\R"), revoked.out());
        TestEnv.Run again = cli("devices", "revoke", "pump-9", "--yes");
        ok(again);
        assertTrue(again.out().contains("0 certificates (already revoked)"), again.out());
        JsonNode shown = json(cli("devices", "show", "pump-9", "-o", "json"));
        assertEquals("revoked", shown.path("status").asText());
        assertEquals("plant-b", shown.path("group").asText());
        TestEnv.Run dev = cli("devices", "revoke", "sim-0001", "--yes");
        assertEquals(ExitCodes.FAILED, dev.code(), "a device of the development listener has no certificate: " + dev);
        assertTrue(dev.err().contains("device sim-0001 has no certificate to revoke"), dev.err());
    }

    @Test
    @Order(5)
    void modelsUploadWithAProgressBarOnATerminalOnlyAndList() throws Exception {
        Path good = Files.write(dir.resolve("anomaly-v1.nfm"), DemoModels.detector(SimulatedSensor.DEFAULT_CHANNELS, 100));
        Path wrong = Files.write(dir.resolve("anomaly-v2-4ch.nfm"),
                DemoModels.detector(List.of("Accelerometer1RMS", "Accelerometer2RMS", "Current", "Pressure"), 200));
        Path junk = Files.write(dir.resolve("junk.nfm"), new Random(1).ints(4096, 0, 256).collect(() -> new java.io.ByteArrayOutputStream(),
                (o, b) -> o.write(b), (a, b) -> { }).toByteArray());

        TestEnv onTerminal = new TestEnv(home).terminals(false, true);
        TestEnv.Run up = onTerminal.run("models", "upload", good.toString(), "--kind", "anomaly-model", "--hardware-id", "sim", "--release-counter", "1");
        ok(up);
        assertTrue(up.out().startsWith("name      " + V1 + "\nkind      anomaly-model\n"), up.out());
        assertTrue(up.out().contains("release   1"), up.out());
        assertTrue(up.err().startsWith("\r\u001b[2Kuploading anomaly-v1.nfm [") && up.err().contains("100%"), up.err());

        TestEnv.Run quiet = cli("models", "upload", wrong.toString(), "--kind", "anomaly-model", "--hardware-id", "sim",
                "--release-counter", "2", "-o", "json");
        ok(quiet);
        assertEquals("", quiet.err(), "no progress bar when stderr is not a terminal");
        assertEquals(WRONG, json(quiet).path("name").asText());

        TestEnv.Run bad = cli("models", "upload", junk.toString(), "--kind", "anomaly-model", "--hardware-id", "sim", "--release-counter", "3");
        assertEquals(ExitCodes.FAILED, bad.code());
        assertTrue(bad.err().contains("not an anomaly model the device runtime can load") && bad.err().contains("(HTTP 400 from POST /api/v1/models)"),
                bad.err());
        TestEnv.Run lower = cli("models", "upload", good.toString(), "--name", V1, "--kind", "anomaly-model", "--hardware-id", "sim",
                "--release-counter", "0");
        assertEquals(ExitCodes.FAILED, lower.code());
        assertTrue(lower.err().contains("(HTTP 409 from POST /api/v1/models)"), lower.err());
        TestEnv.Run asViewer = as(viewer, "models", "upload", good.toString(), "--kind", "anomaly-model", "--hardware-id", "sim",
                "--release-counter", "1");
        assertEquals(ExitCodes.AUTH, asViewer.code(), asViewer.toString());
        assertTrue(asViewer.err().contains("needs the operator role"), asViewer.err());

        TestEnv.Run list = cli("models", "list");
        ok(list);
        List<String> lines = list.out().strip().lines().toList();
        assertTrue(lines.get(0).startsWith("NAME") && lines.get(0).contains("SHA256"), lines.get(0));
        assertTrue(list.out().contains(V1) && list.out().contains(WRONG), list.out());
        assertEquals(2, json(as(viewer, "models", "list", "-o", "json")).path("models").size());
    }

    @Test
    @Order(6)
    void aRolloutWatchedThroughEveryWaveToCompletionExits0() throws Exception {
        TestEnv.Run created = cli("rollouts", "create", "--model", V1, "--device", "sim-0001,sim-0002", "--device", "sim-0003",
                "--waves", "1,100%", "--baseline", "2s", "--observe", "2s", "--install-timeout", "90s", "--latency-increase-pct", "400",
                "-o", "json");
        ok(created);
        String id = json(created).path("id").asText();
        assertEquals(2, json(created).path("waves").size());
        TestEnv.Run watch = cli("rollouts", "watch", id, "--interval", "500ms", "--timeout", "4m");
        ok(watch);
        List<String> lines = watch.out().strip().lines().toList();
        assertEquals("rollout " + id + " completed: " + V1 + " on 3 devices", lines.get(lines.size() - 1));
        List<String> steps = lines.subList(0, lines.size() - 1).stream().map(l -> l.split("  ")[1]).toList();
        assertEquals(List.of("CREATED", "WAVE_STARTED", "INSTALLED", "WAVE_PASSED", "WAVE_STARTED", "INSTALLED", "WAVE_PASSED", "COMPLETED"), steps,
                watch.out());
        assertTrue(lines.get(0).matches("\\d\\d:\\d\\d:\\d\\d  CREATED  model " + V1 + ", 2 waves: .*\\(by bootstrap-admin\\)"), lines.get(0));
        String sha = DemoModelsSha.sha256(Files.readAllBytes(dir.resolve("anomaly-v1.nfm")));
        assertTrue(fleet.agents().subList(0, 3).stream().allMatch(a -> sha.equals(a.detector().modelSha256())), "3 agents run " + V1);

        TestEnv.Run show = cli("rollouts", "show", id);
        ok(show);
        assertTrue(show.out().startsWith(id + "  " + V1 + "  COMPLETED  wave 2 of 2\nthresholds: "), show.out());
        assertTrue(show.out().contains("1     1     1        PASSED") && show.out().contains("2     100%  2        PASSED"), show.out());
        TestEnv.Run again = cli("rollouts", "watch", id);
        ok(again);
        assertEquals(9, again.out().strip().lines().count(), "a finished rollout: its history, then how it ended");
    }

    @Test
    @Order(7)
    void aModelTheCanaryRefusesStopsTheWatchWithExit1AndAbortEndsIt() throws Exception {
        TestEnv.Run created = cli("rollouts", "create", "--model", WRONG, "--device", "sim-0001,sim-0002,sim-0003", "--waves", "1,100%",
                "--baseline", "2s", "--observe", "2s", "--install-timeout", "90s");
        ok(created);
        String id = created.out().lines().findFirst().orElseThrow().split("  ")[0];
        assertTrue(id.startsWith("ro-"), created.out());
        assertTrue(created.out().contains("thresholds: "), created.out());

        TestEnv.Run watch = cli("rollouts", "watch", id, "-o", "json", "--interval", "500ms", "--timeout", "3m");
        assertEquals(ExitCodes.FAILED, watch.code(), watch.toString());
        List<String> states = watch.out().strip().lines().map(l -> {
            try {
                return Json.MAPPER.readTree(l).path("state").asText();
            } catch (Exception e) {
                throw new AssertionError(l, e);
            }
        }).toList();
        assertEquals("PAUSED", states.get(states.size() - 1), watch.out());
        assertTrue(watch.err().startsWith("nanofleet: rollout " + id + " stopped at wave 1 and rolled it back: "), watch.err());
        assertTrue(watch.err().contains("nanofleet rollouts resume " + id) && watch.err().contains("nanofleet rollouts abort " + id), watch.err());

        assertEquals(ExitCodes.USAGE, cli("rollouts", "abort", id).code(), "no terminal, no --yes");
        TestEnv.Run abort = cli("rollouts", "abort", id, "--yes");
        ok(abort);
        assertEquals(id + "  " + WRONG + "  ABORTED  wave 1 of 2  (aborted by bootstrap-admin)", abort.out().strip(),
                "abort waits until the server has applied it");
        TestEnv.Run aborted = cli("rollouts", "watch", id, "--timeout", "1m");
        assertEquals(ExitCodes.FAILED, aborted.code(), aborted.toString());
        assertTrue(aborted.err().contains("rollout " + id + " was aborted (aborted by bootstrap-admin)"), aborted.err());
        TestEnv.Run late = cli("rollouts", "resume", id);
        assertEquals(ExitCodes.FAILED, late.code());
        assertTrue(late.err().contains("is aborted: it cannot resume; start a new rollout instead (HTTP 409"), late.err());
    }

    @Test
    @Order(8)
    void pauseEndsAWatchWithExit3OnlyWithUntilPausedAndATimeoutLeavesTheRolloutRunning() throws Exception {
        JsonNode plantA = json(cli("devices", "list", "--group", "plant-a", "-o", "json"));
        TestEnv.Run created = cli("rollouts", "create", "--model", V1, "--group", "plant-a", "--observe", "10m", "--baseline", "2s",
                "--watch", "--timeout", "3s");
        assertEquals(ExitCodes.FAILED, created.code(), created.toString());
        assertTrue(created.out().startsWith("Created ro-"), created.out());
        String id = created.out().lines().findFirst().orElseThrow().split(" ")[1].replace(";", "");
        assertTrue(created.err().contains("rollout " + id + " is still RUNNING after 3s (--timeout)"), created.err());

        TestEnv.Run pause = as(operator, "rollouts", "pause", id);
        ok(pause);
        int waves = plantA.path("online").asInt() == 2 ? 2 : 1; // "1" then the rest; default waves 1,10%,50%,100%
        assertTrue(pause.out().startsWith(id + "  " + V1 + "  PAUSED  wave 1 of " + waves + "  (paused by ops)"), pause.out() + "\n" + plantA);
        TestEnv.Run twice = as(operator, "rollouts", "pause", id);
        ok(twice);
        assertEquals(id + " is already paused; nothing to pause", twice.out().strip());
        TestEnv.Run paused = cli("rollouts", "watch", id, "--until-paused");
        assertEquals(ExitCodes.PAUSED, paused.code(), paused.toString());
        assertTrue(paused.err().contains("rollout " + id + " is paused (paused by ops)") && paused.err().contains("nanofleet rollouts resume " + id),
                paused.err());
        TestEnv.Run waits = cli("rollouts", "watch", id, "--timeout", "2s");
        assertEquals(ExitCodes.FAILED, waits.code(), "without --until-paused a watch waits for a resume: " + waits);
        assertTrue(waits.out().contains("PAUSED  by operator  (by ops)"), waits.out());

        TestEnv.Run resume = cli("rollouts", "resume", id);
        ok(resume);
        assertTrue(resume.out().startsWith(id + "  " + V1 + "  RUNNING"), resume.out());
        assertEquals("ABORTED", json(cli("rollouts", "abort", id, "-y", "-o", "json")).path("state").asText());
        TestEnv.Run list = cli("rollouts", "list");
        ok(list);
        List<String> lines = list.out().strip().lines().toList();
        assertEquals(4, lines.size(), list.out());
        assertTrue(lines.get(0).startsWith("ID") && lines.get(0).contains("STATE"), lines.get(0));
        assertTrue(list.out().contains("COMPLETED") && list.out().contains("ABORTED"), list.out());
        TestEnv.Run unknown = cli("rollouts", "watch", "ro-nothere");
        assertEquals(ExitCodes.FAILED, unknown.code());
        assertTrue(unknown.err().startsWith("nanofleet: no rollout ro-nothere"), unknown.err());
    }

    @Test
    @Order(9)
    void auditFiltersPagesAndIsAdminOnly() throws Exception {
        TestEnv.Run all = cli("audit", "--limit", "1000");
        ok(all);
        assertTrue(all.out().startsWith("ID"), all.out());
        for (String action : List.of("token.create", "device.labels", "command.send", "enrollment-token.create", "device.revoke", "model.publish",
                "rollout.create", "rollout.completed", "rollout.abort-requested")) {
            assertTrue(all.out().contains(action), action + " in\n" + all.out());
        }
        TestEnv.Run page = cli("audit", "--action", "rollout.", "--limit", "3");
        ok(page);
        List<String> lines = page.out().strip().lines().toList();
        assertEquals(4, lines.size(), page.out());
        long lastId = Long.parseLong(lines.get(3).split(" +")[0]);
        assertEquals("more: nanofleet audit --action rollout. --limit 3 --before " + lastId, page.err().strip());
        JsonNode next = json(cli("audit", "--action", "rollout.", "--limit", "3", "--before", Long.toString(lastId), "-o", "json"));
        assertEquals(3, next.path("entries").size());
        assertTrue(next.path("entries").get(0).path("id").asLong() < lastId);
        JsonNode revokes = json(cli("audit", "--target", "device:pump-9", "--action", "device.revoke", "-o", "json"));
        assertEquals(2, revokes.path("entries").size(), revokes.toString());
        assertEquals(ExitCodes.AUTH, as(operator, "audit").code());
    }

    @Test
    @Order(10)
    void logoutForgetsTheContext() {
        ok(cli("logout"));
        TestEnv.Run r = cli("devices", "list");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("no fleet server configured"), r.err());
        ok(new TestEnv(home).var("NANOFLEET_SERVER", live.url).var("NANOFLEET_TOKEN", viewer).run("devices", "list"));
    }

    /** SHA-256 hex, as the agent reports its model. */
    static final class DemoModelsSha {
        static String sha256(byte[] b) throws Exception {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
        }
    }

}
