package io.nanofleet.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.agent.DeviceAgent;
import io.nanofleet.agent.enroll.Credentials;
import io.nanofleet.agent.enroll.Enroller;
import io.nanofleet.agent.ota.ModelUpdater;
import io.nanofleet.agent.sensor.SimulatedSensor;
import io.nanofleet.ota.crypto.TufSigner;
import io.nanofleet.ota.director.DirectorAssignment;
import io.nanofleet.ota.director.DirectorSigner;
import io.nanofleet.ota.install.UpdateResult;
import io.nanofleet.ota.metadata.Metadata;
import io.nanofleet.ota.metadata.Root;
import io.nanofleet.ota.metadata.TargetFile;
import io.nanofleet.ota.repo.KeyFile;
import io.nanofleet.ota.repo.Repository;
import io.nanofleet.ota.repo.TargetKind;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.InstallProgress;
import io.nanofleet.server.FleetServer;
import io.nanofleet.server.ServerConfig;
import io.nanofleet.server.ingest.Downlinks;
import io.nanofleet.server.store.EventRow;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 1: "with the server's data directory copied by an attacker, no model that the operator did not
 * sign installs on any device". A server in the default (offline keys) mode; root and targets keys made by the
 * ota CLI's code in a separate operator folder; a real enrolled {@link DeviceAgent} with the agent's
 * {@link ModelUpdater} installs an operator-signed model. Then an attacker with a copy of the whole data
 * directory (every key file in it, and the password next to them) signs targets metadata listing a malicious
 * model with every key the copy holds, writes it into the live server's repository as a full compromise would,
 * re-signs snapshot and timestamp, and sends a director assignment signed with the stolen director key through
 * the server's downlink. The device refuses it (integrity failure, result 5) and keeps its model.
 *
 * <p>The second test runs the same attack against a server started with {@code --online-targets-key}: there it
 * succeeds, which is what that flag's help text says it gives up (and what the old default did).
 */
class StolenDataDirIT {
    static final String HW = "sim-gw";
    static final String ID = "gw-01";
    static final String GOOD = "models/anomaly-v1.nfm";
    static final String EVIL = "models/anomaly-evil.nfm";

    @TempDir
    Path dir;

    private FleetServer server;
    private DeviceAgent agent;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private final ExecutorService installs = Executors.newSingleThreadExecutor();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void tearDown() {
        if (agent != null) {
            agent.close();
        }
        if (server != null) {
            server.close();
        }
        scheduler.shutdownNow();
        installs.shutdownNow();
    }

    @Test
    void aCopyOfTheDataDirectoryCannotInstallAModelTheOperatorDidNotSign() throws Exception {
        Path dataDir = dir.resolve("server");
        server = new FleetServer(ServerConfig.builder().httpHost("127.0.0.1").httpPort(0).mqttHost("127.0.0.1")
                .plainMqtt(false).mqttsPort(0).coapPort(0).dataDir(dataDir).build()).start();
        String base = "http://127.0.0.1:" + server.httpPort();
        String admin = server.adminToken();

        // No root yet: enrollment is refused before the one-time token is spent, uploads say what to run.
        String token = new JsonObject(send("POST", base + "/api/v1/enrollment-tokens",
                new JsonObject().put("deviceId", ID).put("ttlSeconds", 600).encode(), admin, 201)).getString("token");
        String refused = send("POST", base + "/api/v1/enroll", new JsonObject().put("token", token).put("csr", "x").encode(), null, 503);
        assertEquals(new JsonObject().put("error", "the update channel has no trusted root yet: an admin uploads one (see "
                + "fleet-server/README.md, 'Offline keys')"), new JsonObject(refused));
        HttpResponse<String> early = OperatorFolder.multipart(http, base + "/api/v1/models", admin,
                Map.of("name", GOOD, "kind", "anomaly-model", "hardwareId", HW, "releaseCounter", "1"), Map.of("model", DemoModels.detector(SimulatedSensor.DEFAULT_CHANNELS, 100)));
        assertEquals(409, early.statusCode(), early.body());
        assertTrue(early.body().contains("init --online-keys"), early.body());
        assertEquals(false, new JsonObject(send("GET", base + "/api/v1/models", null, admin, 200)).getBoolean("trustedRoot"));

        // The operator, in a folder of their own: keys, root v1 + targets v1 signed there, uploaded.
        OperatorFolder operator = OperatorFolder.openOrCreate(dir.resolve("operator"));
        JsonObject online = new JsonObject(send("GET", base + "/api/v1/tuf/online-keys", null, admin, 200));
        for (String role : List.of("snapshot", "timestamp", "director")) {
            assertEquals("ed25519", online.getJsonObject(role).getString("keytype"), online.encode());
            assertEquals(64, online.getJsonObject(role).getString("keyid").length(), online.encode());
        }
        assertEquals(new JsonObject().put("rootVersion", 1).put("targetsVersion", 1), operator.initServerRoot(base, admin));
        JsonObject again = new JsonObject().put("root", new JsonObject(Files.readString(operator.repo().resolve("metadata/1.root.json"))))
                .put("targets", new JsonObject(Files.readString(operator.repo().resolve("metadata/1.targets.json"))));
        send("POST", base + "/api/v1/tuf/root", again.encode(), admin, 409);

        // A real agent enrolls (same token: the 503 did not spend it) and installs the operator-signed model.
        ModelUpdater updater = startAgent(base, token);
        byte[] good = DemoModels.detector(SimulatedSensor.DEFAULT_CHANNELS, 100);
        Path goodFile = Files.write(operator.dir().resolve("anomaly-v1.nfm"), good);
        operator.upload(base, admin, goodFile, GOOD, operator.sign(goodFile, GOOD, HW, 1));
        send("POST", base + "/api/v1/devices/" + ID + "/model", new JsonObject().put("model", GOOD).encode(), admin, 202);
        String goodSha = RealAgents.sha256(good);
        await(Duration.ofSeconds(90), "operator-signed model committed",
                () -> updater.committed() == 1 && goodSha.equals(agent.detector().modelSha256()));

        // The attacker: a copy of the whole data directory, every key file in it opened with the password beside it.
        Root root = new Root(Metadata.parse(Files.readAllBytes(dataDir.resolve("tuf/metadata/1.root.json")), "root"));
        List<TufSigner> stolen = stealKeys(dataDir, dir.resolve("stolen"));
        Set<String> stolenIds = new TreeSet<>();
        stolen.forEach(s -> stolenIds.add(s.keyId()));
        assertEquals(3, stolen.size(), "the copy holds the snapshot, timestamp and director keys: " + stolenIds);
        for (String role : List.of("root", "targets")) {
            for (String id : root.role(role).keyids()) {
                assertFalse(stolenIds.contains(id), "the data directory holds a " + role + " private key " + id);
            }
        }
        assertEquals(UpdateResult.INTEGRITY_CHECK_FAILURE.code, attack(dataDir, stolen, updater).getResult());
        Thread.sleep(2000);
        assertEquals(goodSha, agent.detector().modelSha256(), "the operator-signed model keeps running");
        assertEquals(1, updater.committed());
        try (Stream<Path> files = Files.walk(dataDir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertFalse(names.contains("root.key") || names.contains("targets.key"), names.toString());
        }
    }

    @Test
    void withAnOnlineTargetsKeyTheSameCopyInstallsAnything() throws Exception {
        Path dataDir = dir.resolve("server");
        server = new FleetServer(ServerConfig.builder().onlineTargetsKey(true).httpHost("127.0.0.1").httpPort(0)
                .mqttHost("127.0.0.1").plainMqtt(false).mqttsPort(0).coapPort(0).dataDir(dataDir).build()).start();
        String base = "http://127.0.0.1:" + server.httpPort();
        String admin = server.adminToken();
        String token = new JsonObject(send("POST", base + "/api/v1/enrollment-tokens",
                new JsonObject().put("deviceId", ID).put("ttlSeconds", 600).encode(), admin, 201)).getString("token");
        ModelUpdater updater = startAgent(base, token);

        List<TufSigner> stolen = stealKeys(dataDir, dir.resolve("stolen"));
        assertEquals(5, stolen.size(), "root, targets, snapshot, timestamp and director keys");
        assertEquals(UpdateResult.SUCCESS.code, attack(dataDir, stolen, updater).getResult(), "the attack works in this mode");
    }

    /** Enrolls the real agent with its one-time token, starts it with the agent's model updater, waits until it is online. */
    private ModelUpdater startAgent(String base, String token) throws Exception {
        Path home = dir.resolve("agent");
        Credentials creds = new Credentials(home.resolve("credentials"));
        Enroller.Result enrolled = new Enroller(null).enroll(base, token, ID, HW, DeviceAgent.VERSION, creds);
        agent = DeviceAgent.builder().deviceId(ID).hardwareId(HW).broker(enrolled.mqttUrl()).tls(creds.sslContext())
                .commandKey(creds.commandKey()).sensor(new SimulatedSensor(1)).stateDir(home.resolve("state"))
                .scheduler(scheduler).sampleIntervalMs(10).telemetryIntervalMs(2000).stateIntervalMs(500).build();
        ModelUpdater updater = RealAgents.updater(agent, ID, HW, base, creds, home, installs);
        agent.start();
        await(Duration.ofSeconds(60), "agent online", () -> online(ID));
        return updater;
    }

    /** Copies the data directory and opens every encrypted key file in the copy with every password file in it. */
    private static List<TufSigner> stealKeys(Path dataDir, Path copy) throws Exception {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dataDir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path to = copy.resolve(dataDir.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else if (Files.isRegularFile(p)) {
                    Files.copy(p, to);
                    files.add(to);
                }
            }
        }
        List<char[]> passwords = new ArrayList<>();
        for (Path f : files) {
            if (f.getFileName().toString().contains("password") && Files.size(f) < 1024) {
                passwords.add(Files.readString(f).trim().toCharArray());
            }
        }
        List<TufSigner> out = new ArrayList<>();
        for (Path f : files) {
            if (Files.size(f) > 64 * 1024 || !Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1).contains(KeyFile.FORMAT)) {
                continue;
            }
            for (char[] pw : passwords) {
                try {
                    out.add(KeyFile.read(f, pw));
                    break;
                } catch (KeyFile.KeyFileException wrongPassword) {
                    // try the next one
                }
            }
        }
        return out;
    }

    /**
     * Targets metadata listing a malicious (loadable) model, signed with every stolen key and written into the live
     * server's repository with fresh snapshot and timestamp; then a director assignment signed with the stolen keys,
     * sent through the server's downlink. Returns the device's final install report for that model.
     */
    private InstallProgress attack(Path dataDir, List<TufSigner> stolen, ModelUpdater updater) throws Exception {
        Path evil = Files.write(dir.resolve("evil.nfm"), DemoModels.detector(SimulatedSensor.DEFAULT_CHANNELS, 666));
        Repository live = new Repository(dataDir.resolve("tuf"), Clock.systemUTC());
        TargetFile t = live.addTarget(evil, EVIL, TargetKind.ANOMALY_MODEL.custom(List.of(HW), 99), "targets", stolen);
        live.refresh(stolen, stolen);
        new Downlinks(server.broker()).sendAssignment(new DirectorSigner(stolen).assignment(DirectorAssignment.of(ID, HW, t,
                System.currentTimeMillis() + 60_000, Instant.now().plus(Duration.ofDays(1)))));
        InstallProgress[] last = new InstallProgress[1];
        await(Duration.ofSeconds(90), "the device's final report on " + EVIL, () -> {
            last[0] = finalReport(EVIL).orElse(null);
            return last[0] != null;
        });
        return last[0];
    }

    /** The device's last IDLE report (success or failure) for a target, from the server's event store. */
    private Optional<InstallProgress> finalReport(String target) {
        try {
            for (EventRow row : server.store().events(ID, 200)) {
                Event e = Event.parseFrom(row.payload());
                if (e.hasInstallProgress() && e.getInstallProgress().getTargetName().equals(target)
                        && e.getInstallProgress().getState() == InstallProgress.State.IDLE
                        && e.getInstallProgress().getResult() != UpdateResult.INITIAL.code) {
                    return Optional.of(e.getInstallProgress());
                }
            }
            return Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private boolean online(String id) {
        try {
            return server.store().devices().stream().anyMatch(d -> d.deviceId().equals(id) && d.online());
        } catch (Exception e) {
            return false;
        }
    }

    private String send(String method, String url, String json, String token, int expected) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        b = json == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(expected, r.statusCode(), method + " " + url + " -> " + r.body());
        return r.body();
    }

    private static void await(Duration timeout, String what, BooleanSupplier ok) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what);
            }
            Thread.sleep(200);
        }
    }
}
