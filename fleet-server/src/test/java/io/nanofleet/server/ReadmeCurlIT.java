package io.nanofleet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.DeviceState;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import io.nanofleet.ota.cli.OtaCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code curl} command in a {@code sh} block of any README ({@code README.md}, {@code * /README.md}) runs
 * with the real {@code /usr/bin/curl} against a live server, in README order, and must exit 0 with an HTTP 2xx
 * (curl's {@code --fail-with-body}). Conventions (fleet-server/README.md): {@code $T $H $J $API} as in the
 * walk-through's first line; {@code $BATCH}, {@code $ROLLOUT}, {@code $COMMAND} come from the previous answers'
 * {@code batchId}, rollout {@code id} and {@code commandId}; {@code localhost:8080} is the test server.
 */
class ReadmeCurlIT {
    /** Lines that cannot run here, by a fragment of the line, with the reason. Keep it tiny. */
    static final Map<String, String> NOT_RUN = Map.of(
            "$API/tuf/root",
            "the test posts this same operator-signed root before enrolling pump-7 (enrollment needs a root; a second POST "
                    + "answers 409); the line itself runs in DemoIT's and StolenDataDirIT's flows",
            "-F kind=anomaly-model",
            "needs a server started with --online-targets-key (this one signs offline, as the README's default); "
                    + "covered by UpdatesApiIT");

    @TempDir
    Path dir;

    @Test
    void everyReadmeCurlLineRunsAgainstALiveServer() throws Exception {
        List<Command> commands = commands(repoRoot());
        assertTrue(commands.size() >= 15, "found the README curl lines: " + commands.size());
        try (FleetServer server = new FleetServer(ServerConfig.builder().mqttsPort(0).coapPort(0).httpPort(0).mqttPort(0)
                .dataDir(dir.resolve("data")).build()).start()) {
            // What the walk-through assumes exists: an enrolled pump-7 (the agent line enrolls it) and online demo devices.
            String admin = server.adminToken();
            String api = "http://127.0.0.1:" + server.httpPort() + "/api/v1";
            operatorSteps(api, admin);
            String token = Http.post(api + "/enrollment-tokens", "{\"deviceId\":\"pump-7\"}", admin).json().getString("token");
            assertEquals(200, Http.post(api + "/enroll", new JsonObject().put("token", token)
                    .put("csr", new DeviceCerts("pump-7").csr("pump-7")).encode()).status());
            for (String id : new String[] {"sim-0001", "sim-0002", "sim-0003"}) {
                server.gateway().ingest(Topics.parse(Topics.state(id)), Codecs.STATE.encode(DeviceState.newBuilder().setDeviceId(id)
                        .setStatus(DeviceState.Status.ONLINE).setHardwareId("sim").build()));
            }
            assertTrue(server.writer().flush(10_000));
            Files.write(dir.resolve("anomaly-v2.nfm"), TestModels.anomalyModel(11));


            Map<String, String> env = new HashMap<>();
            env.put("T", admin);
            env.put("H", "Authorization: Bearer " + admin);
            env.put("J", "Content-Type: application/json");
            env.put("API", api);
            env.put("ADMIN_TOKEN", admin);
            List<String> failures = new ArrayList<>();
            for (Command c : commands) {
                String skip = NOT_RUN.keySet().stream().filter(c.text::contains).map(NOT_RUN::get).findFirst().orElse(null);
                if (skip != null) {
                    continue;
                }
                String script = c.text.replace("localhost:8080", "127.0.0.1:" + server.httpPort());
                Result r = run(script, env);
                if (r.code != 0) {
                    failures.add(c.where + ": exit " + r.code + ": " + c.text + "\n    -> " + r.out.strip());
                    continue;
                }
                capture(r.out, env);

            }
            assertTrue(failures.isEmpty(), "README curl lines that failed:\n" + String.join("\n", failures));
        }
    }

    /**
     * The README's non-curl operator lines ("Offline keys", then the offline publish), run in process with the
     * same arguments: keys and root on the operator's side, root uploaded, next targets version signed for
     * anomaly-v1.nfm. The curl lines that follow them then run as printed.
     */
    private void operatorSteps(String api, String admin) throws Exception {
        Path op = Files.createDirectories(dir.resolve("operator"));
        String pw = op.resolve("password").toString();
        Files.writeString(op.resolve("password"), "readme-operator-password\n");
        assertEquals(0, OtaCli.execute("keygen", "--out", op.resolve("root.key").toString(), "--password-file", pw));
        assertEquals(0, OtaCli.execute("keygen", "--out", op.resolve("targets.key").toString(), "--password-file", pw));
        Http.Response keys = Http.get(api + "/tuf/online-keys", admin);
        assertEquals(200, keys.status());
        Files.writeString(op.resolve("online-keys.json"), keys.body());
        Path repo = op.resolve("repo");
        assertEquals(0, OtaCli.execute("init", "--repo", repo.toString(), "--root-key", op.resolve("root.key").toString(),
                "--targets-key", op.resolve("targets.key").toString(), "--online-keys", op.resolve("online-keys.json").toString(),
                "--password-file", pw));
        JsonObject root = new JsonObject().put("root", new JsonObject(Files.readString(repo.resolve("metadata/1.root.json"))))
                .put("targets", new JsonObject(Files.readString(repo.resolve("metadata/1.targets.json"))));
        assertEquals(201, Http.post(api + "/tuf/root", root.encode(), admin).status());
        Files.write(dir.resolve("anomaly-v1.nfm"), TestModels.anomalyModel(7));
        assertEquals(0, OtaCli.execute("add-target", "--repo", repo.toString(), "--file", dir.resolve("anomaly-v1.nfm").toString(),
                "--name", "models/anomaly-v1.nfm", "--kind", "anomaly-model", "--hardware-id", "sim", "--release-counter", "1",
                "--key", op.resolve("targets.key").toString(), "--password-file", pw));
    }

    record Command(String where, String text) {}

    record Result(int code, String out) {}

    /** Ids an answer carries, as the shell variables the READMEs use. */
    static void capture(String out, Map<String, String> env) {
        String body = out.strip();
        if (!body.startsWith("{")) {
            return;
        }
        try {
            JsonObject o = new JsonObject(body);
            if (o.getValue("batchId") instanceof String b) {
                env.put("BATCH", b);
            }
            if (o.getValue("commandId") instanceof String c) {
                env.put("COMMAND", c);
            }
            if (o.getValue("id") instanceof String id && id.startsWith("ro-")) {
                env.put("ROLLOUT", id);
            }
        } catch (RuntimeException e) {
            // not one JSON object (two commands on a line): nothing to capture
        }
    }

    Result run(String script, Map<String, String> env) throws Exception {
        String prelude = "set -o pipefail\ncurl() { /usr/bin/curl --fail-with-body --max-time 30 \"$@\"; }\n";
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", prelude + script).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "curl line timed out: " + script);
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("mvnw"))) {
            p = p.getParent();
        }
        return p;
    }

    /** The curl commands of every sh block, a command running on while a quote is open or a line ends in a backslash. */
    static List<Command> commands(Path root) throws Exception {
        List<Path> readmes = new ArrayList<>(List.of(root.resolve("README.md")));
        try (Stream<Path> s = Files.list(root)) {
            s.map(d -> d.resolve("README.md")).filter(Files::exists).sorted().forEach(readmes::add);
        }
        List<Command> out = new ArrayList<>();
        for (Path readme : readmes) {
            List<String> lines = Files.readAllLines(readme);
            boolean sh = false;
            StringBuilder open = null;
            String where = null;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.startsWith("```")) {
                    sh = !sh && line.substring(3).trim().matches("sh|bash|shell");
                    open = null;
                    continue;
                }
                if (!sh) {
                    continue;
                }
                if (open == null && !line.trim().startsWith("curl ")) {
                    continue;
                }
                if (open == null) {
                    open = new StringBuilder();
                    where = root.relativize(readme) + ":" + (i + 1);
                }
                open.append(line).append('\n');
                if (!line.endsWith("\\") && quotesBalanced(open)) {
                    out.add(new Command(where, open.toString().strip()));
                    open = null;
                }
            }
        }
        return out;
    }

    static boolean quotesBalanced(CharSequence s) {
        boolean single = false;
        boolean dbl = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '#' && !single && !dbl && (i == 0 || Character.isWhitespace(s.charAt(i - 1)))) {
                while (i < s.length() && s.charAt(i) != '\n') {
                    i++; // a shell comment: its apostrophes quote nothing
                }
            } else if (c == '\'' && !dbl) {
                single = !single;
            } else if (c == '"' && !single) {
                dbl = !dbl;
            }
        }
        return !single && !dbl;
    }
}
