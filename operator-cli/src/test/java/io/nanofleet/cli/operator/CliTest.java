package io.nanofleet.cli.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The command line itself: help and version everywhere, usage errors (exit 2) before any request, where the
 * server and token come from, and how each kind of server answer becomes a message and an exit code, against
 * a small fake server (the real one is in the ITs).
 */
class CliTest {
    @TempDir
    Path home;
    HttpServer fake;
    String url;
    /** path -> {status, content type, body}; tokens: "admin", "operator", "viewer"; anything else is 401. */
    final Map<String, String[]> answers = new ConcurrentHashMap<>();
    final List<String> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startFake() throws IOException {
        fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        fake.createContext("/", this::answer);
        fake.start();
        url = "http://127.0.0.1:" + fake.getAddress().getPort();
        answers.put("/api/v1/ca.pem", new String[] {"200", "application/x-pem-file", "-----BEGIN CERTIFICATE-----\nMII...\n-----END CERTIFICATE-----\n"});
        answers.put("/api/v1/devices", new String[] {"200", "application/json",
                "{\"count\":1,\"online\":1,\"devices\":[{\"deviceId\":\"pump-7\",\"online\":true,\"lastSeenMs\":0,\"group\":\"plant-a\","
                        + "\"tags\":[\"pump\"],\"status\":\"online\",\"registration\":\"enrolled\"}]}"});
        answers.put("/api/v1/devices/pump-7", new String[] {"200", "application/json", "{\"deviceId\":\"pump-7\",\"status\":\"offline\","
                + "\"lastSeenMs\":0,\"firstSeenMs\":0,\"tags\":[],\"channels\":[]}"});
        answers.put("/api/v1/devices/pump-7/events", new String[] {"200", "application/json", "{\"deviceId\":\"pump-7\",\"events\":[]}"});
        answers.put("/api/v1/devices/nope", new String[] {"404", "application/json", "{\"error\":\"not found\"}"});
        answers.put("/api/v1/rollouts", new String[] {"500", "application/json", "{\"error\":\"internal error (reference 7f3a)\"}"});
        answers.put("/api/v1/models", new String[] {"200", "text/html", "<html>hello</html>"});
    }

    @AfterEach
    void stopFake() {
        fake.stop(0);
    }

    private void answer(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        String auth = x.getRequestHeaders().getFirst("Authorization");
        requests.add(x.getRequestMethod() + " " + x.getRequestURI() + " " + auth);
        String token = auth == null ? "" : auth.replaceFirst("^Bearer ", "");
        String[] a;
        if (!List.of("admin", "operator", "viewer").contains(token)) {
            a = new String[] {"401", "application/json", "{\"error\":\"unknown or revoked API token; this route needs a bearer token\"}"};
        } else if (path.equals("/api/v1/audit") && !token.equals("admin")) {
            a = new String[] {"403", "application/json", "{\"error\":\"this route needs the admin role; your token 't' has " + token + "\"}"};
        } else if (path.equals("/api/v1/tuf/online-keys")) {
            a = token.equals("viewer") ? new String[] {"403", "application/json", "{\"error\":\"needs operator\"}"}
                    : new String[] {"200", "application/json", "{}"};
        } else if (path.equals("/api/v1/audit")) {
            a = new String[] {"200", "application/json", "{\"entries\":[]}"};
        } else {
            a = answers.getOrDefault(path, new String[] {"404", "text/html", "<html><body><h1>Resource not found</h1></body></html>"});
        }
        byte[] body = a[2].getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", a[1]);
        x.sendResponseHeaders(Integer.parseInt(a[0]), body.length);
        x.getResponseBody().write(body);
        x.close();
    }

    TestEnv env() {
        return new TestEnv(home);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void everyCommandHasHelpAndTheRootHasVersionAndExitCodes() {
        List<String> paths = new ArrayList<>();
        collect(Nanofleet.commandLine(Env.system()), new ArrayList<>(), paths);
        assertTrue(paths.size() >= 25, paths.toString());
        for (String p : paths) {
            List<String> args = new ArrayList<>(List.of(p.split(" ")));
            args.remove(0);
            args.add("--help");
            TestEnv.Run r = env().run(args.toArray(new String[0]));
            assertEquals(0, r.code(), p + " --help: " + r);
            assertTrue(r.out().startsWith("Usage: " + p), p + ": " + r.out());
            assertTrue(r.out().contains("-h, --help"), p);
            assertTrue(r.out().contains("--output"), p + " has the global options");
        }
        TestEnv.Run v = env().run("--version");
        assertEquals(0, v.code());
        assertTrue(v.out().matches("nanofleet \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\R"), v.out());
        assertEquals(v.out(), env().run("rollouts", "watch", "--version").out(), "--version works on subcommands too");
        TestEnv.Run help = env().run("--help");
        assertTrue(help.out().contains("Exit codes:") && help.out().contains("4  the server refused the token"), help.out());
    }

    private static void collect(CommandLine cl, List<String> prefix, List<String> out) {
        List<String> me = new ArrayList<>(prefix);
        me.add(cl.getCommandName());
        out.add(String.join(" ", me));
        cl.getSubcommands().values().forEach(sub -> collect(sub, me, out));
    }

    @Test
    void usageErrorsExit2WithTheProblemAndNoRequest() {
        String[][] cases = {
            {},
            {"devcies", "list"},
            {"--output", "yaml", "devices", "list"},
            {"devices"},
            {"devices", "show"},
            {"devices", "label", "pump-7"},
            {"devices", "label", "pump-7", "colour=red"},
            {"devices", "label", "pump-7", "tags=a", "--add-tag", "b"},
            {"devices", "show", "pump-7", "--events", "0"},
            {"command", "send", "ping"},
            {"command", "send", "--device", "a", "--group", "g", "ping"},
            {"command", "send", "--device", "a", "ping", "novalue"},
            {"command", "send", "--device", "a", "ping", "--wait", "ten"},
            {"enroll-token"},
            {"models", "upload", "missing.nfm", "--kind", "anomaly-model", "--hardware-id", "sim", "--release-counter", "1"},
            {"rollouts", "create"},
            {"rollouts", "create", "--model", "m", "--device", "a", "--group", "g"},
            {"rollouts", "watch", "ro-1", "--interval", "10ms"},
            {"audit", "--limit", "5000"},
            {"completion", "fish"},
            {"--server", "fleet.example:8080", "devices", "list"},
        };
        for (String[] c : cases) {
            TestEnv.Run r = env().var("NANOFLEET_SERVER", url).var("NANOFLEET_TOKEN", "admin").run(c);
            assertEquals(ExitCodes.USAGE, r.code(), String.join(" ", c) + ": " + r);
            assertTrue(r.err().startsWith("nanofleet: "), String.join(" ", c) + ": " + r.err());
            assertTrue(r.err().contains("--help") || r.err().contains("Did you mean") || r.err().contains("e.g."), String.join(" ", c) + ": " + r.err());
        }
        assertEquals(List.of(), requests, "usage errors send nothing");
        assertTrue(env().run("devcies").err().contains("devices"), "suggests the command meant");
    }

    @Test
    void uploadArgumentsAreCheckedBeforeAnyRequest() throws IOException {
        Path model = Files.writeString(home.resolve("m.nfm"), "x");
        TestEnv t = env().var("NANOFLEET_SERVER", url).var("NANOFLEET_TOKEN", "operator");
        TestEnv.Run r = t.run("models", "upload", model.toString(), "--kind", "anomaly-model");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("missing --hardware-id, --release-counter"), r.err());
        r = t.run("models", "upload", model.toString(), "--targets-metadata", model.toString(), "--kind", "anomaly-model");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("leave out --kind"), r.err());
        assertEquals(List.of(), requests);
    }

    @Test
    void revokeAndAbortWithoutATerminalNeedYes() {
        TestEnv t = env().var("NANOFLEET_SERVER", url).var("NANOFLEET_TOKEN", "admin");
        TestEnv.Run r = t.run("devices", "revoke", "pump-7");
        assertEquals(ExitCodes.USAGE, r.code(), r.toString());
        assertTrue(r.err().contains("refusing to revoke pump-7 without confirmation: standard input is not a terminal"), r.err());
        assertTrue(r.err().contains("add --yes"), r.err());
        r = t.run("rollouts", "abort", "ro-1");
        assertEquals(ExitCodes.USAGE, r.code(), r.toString());
        assertTrue(r.err().contains("refusing to abort ro-1"), r.err());
        r = env().var("NANOFLEET_SERVER", url).var("NANOFLEET_TOKEN", "admin").stdin("n\n", true).run("devices", "revoke", "pump-7");
        assertEquals(ExitCodes.FAILED, r.code(), r.toString());
        assertTrue(r.err().startsWith("Revoke device pump-7? ") && r.err().contains("[y/N] nanofleet: not revoked: not confirmed"), r.err());
        assertEquals(List.of(), requests);
    }

    @Test
    void nothingConfiguredSaysHowToLogIn() {
        TestEnv.Run r = env().run("devices", "list");
        assertEquals(ExitCodes.USAGE, r.code());
        assertEquals("nanofleet: no fleet server configured\n  log in first: nanofleet login --server http://HOST:8080 --token TOKEN "
                + "(or set NANOFLEET_SERVER and NANOFLEET_TOKEN, or pass --server and --token)\n", r.err().replace(System.lineSeparator(), "\n"));
        r = env().run("--server", url, "devices", "list");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("no API token for " + url), r.err());
    }

    @Test
    void loginChecksTheTokenSavesAnOwnerOnlyContextAndLaterCommandsUseIt() throws Exception {
        TestEnv.Run bad = env().run("login", "--server", url + "/", "--token", "wrong");
        assertEquals(ExitCodes.AUTH, bad.code(), bad.toString());
        assertTrue(bad.err().contains(url + " refused this token: unknown or revoked API token"), bad.err());
        assertTrue(bad.err().contains("nothing was saved"), bad.err());
        Path ctx = home.resolve(".config/nanofleet/context.json");
        assertFalse(Files.exists(ctx));

        TestEnv.Run ok = env().run("login", "--server", url + "/api/v1", "--token", "operator");
        assertEquals(0, ok.code(), ok.toString());
        assertEquals("Logged in to " + url + " (role operator); saved to " + ctx + "\n", ok.out().replace(System.lineSeparator(), "\n"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ctx)));
        assertEquals("operator", Json.MAPPER.readTree(ctx.toFile()).path("token").asText());

        requests.clear();
        TestEnv.Run list = env().run("devices", "list");
        assertEquals(0, list.code(), list.toString());
        assertTrue(list.out().startsWith("DEVICE  STATUS  LAST SEEN  GROUP    TAGS"), list.out());
        assertEquals(List.of("GET /api/v1/devices Bearer operator"), requests);

        // The context's token goes only to the context's server; env and flags win, flags over env.
        TestEnv.Run other = env().run("--server", "http://127.0.0.1:" + freePort(), "devices", "list");
        assertEquals(ExitCodes.USAGE, other.code(), other.toString());
        assertTrue(other.err().contains("the login context " + ctx + " is for " + url), other.err());
        requests.clear();
        assertEquals(0, env().var("NANOFLEET_TOKEN", "viewer").run("devices", "list").code());
        assertEquals(0, env().var("NANOFLEET_TOKEN", "viewer").run("devices", "list", "--token", "admin").code());
        assertEquals(List.of("GET /api/v1/devices Bearer viewer", "GET /api/v1/devices Bearer admin"), requests);

        TestEnv.Run who = env().run("whoami", "-o", "json");
        assertEquals(0, who.code(), who.toString());
        assertEquals("operator", Json.MAPPER.readTree(who.out()).path("role").asText());
        assertEquals("viewer", Json.MAPPER.readTree(env().run("whoami", "--output", "json", "--token", "viewer").out()).path("role").asText());
        assertTrue(env().run("whoami", "--token", "admin").out().contains("role    admin"));
    }

    @Test
    void loginReadsTheTokenFromStdinOrAPrompt() throws Exception {
        assertEquals(0, env().stdin("admin\n", false).run("login", "--server", url, "--token-stdin").code());
        TestEnv prompted = env();
        prompted.stdinTerminal = true;
        prompted.secrets = p -> p.startsWith("API token for " + url) ? "viewer" : null;
        TestEnv.Run r = prompted.run("login", "--server", url);
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("(role viewer)"), r.out());
        TestEnv.Run none = env().run("login", "--server", url);
        assertEquals(ExitCodes.USAGE, none.code());
        assertTrue(none.err().contains("login needs a token"), none.err());
    }

    @Test
    void serverAnswersBecomeMessagesAndExitCodes() throws IOException {
        TestEnv t = env().var("NANOFLEET_SERVER", url).var("NANOFLEET_TOKEN", "admin");
        TestEnv.Run r = env().var("NANOFLEET_SERVER", url).var("NANOFLEET_TOKEN", "stale").run("devices", "list");
        assertEquals(ExitCodes.AUTH, r.code());
        assertTrue(r.err().startsWith("nanofleet: the server refused the token from NANOFLEET_TOKEN: unknown or revoked API token"), r.err());
        assertTrue(r.err().contains("(HTTP 401 from GET /api/v1/devices)") && r.err().contains("nanofleet login --server " + url), r.err());

        r = env().var("NANOFLEET_SERVER", url).var("NANOFLEET_TOKEN", "operator").run("audit");
        assertEquals(ExitCodes.AUTH, r.code());
        assertTrue(r.err().contains("this route needs the admin role; your token 't' has operator (HTTP 403 from GET /api/v1/audit)"), r.err());

        r = t.run("devices", "show", "nope");
        assertEquals(ExitCodes.FAILED, r.code());
        assertEquals("nanofleet: no device nope\n  nanofleet devices list shows the known devices\n", r.err().replace(System.lineSeparator(), "\n"));

        r = t.run("devices", "show", "pump-7", "--events", "5");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().startsWith("device        pump-7\nstatus        offline\nlast seen     never\n"), r.out());
        assertTrue(r.out().endsWith("\nno events yet\n"), r.out());
        assertTrue(requests.contains("GET /api/v1/devices/pump-7/events?limit=5 Bearer admin"), requests.toString());

        r = t.run("rollouts", "list");
        assertEquals(ExitCodes.FAILED, r.code());
        assertTrue(r.err().contains("internal error (reference 7f3a) (HTTP 500 from GET /api/v1/rollouts)") && r.err().contains("its log"), r.err());

        r = t.run("models", "list");
        assertEquals(ExitCodes.UNREACHABLE, r.code());
        assertTrue(r.err().contains("not JSON") && r.err().contains("a NanoFleet fleet server?"), r.err());

        r = t.run("audit", "--action", "x");
        assertEquals(0, r.code(), r.toString());
        assertEquals("no audit entries match\n", r.err().replace(System.lineSeparator(), "\n"));

        r = t.run("command", "show", "c-1");
        assertEquals(ExitCodes.UNREACHABLE, r.code(), "an HTML 404 is not a fleet server's answer: " + r);

        int closed = freePort();
        r = env().run("--server", "http://127.0.0.1:" + closed, "--token", "admin", "devices", "list");
        assertEquals(ExitCodes.UNREACHABLE, r.code());
        assertTrue(r.err().startsWith("nanofleet: cannot reach http://127.0.0.1:" + closed + ": connection refused"), r.err());
        assertTrue(r.err().contains("check the URL"), r.err());
        r = env().run("login", "--server", "http://127.0.0.1:" + closed, "--token", "admin");
        assertEquals(ExitCodes.UNREACHABLE, r.code());
        assertFalse(Files.exists(home.resolve(".config/nanofleet/context.json")));

        answers.put("/api/v1/ca.pem", new String[] {"404", "text/html", "<html></html>"});
        r = env().run("login", "--server", url, "--token", "admin");
        assertEquals(ExitCodes.UNREACHABLE, r.code());
        assertTrue(r.err().contains("does not answer like a NanoFleet fleet server (GET /api/v1/ca.pem: HTTP 404)"), r.err());
    }

    @Test
    void globalOptionsWorkBeforeOrAfterTheSubcommand() {
        assertEquals(0, env().run("--server", url, "--token", "admin", "devices", "list").code());
        assertEquals(0, env().run("devices", "--server", url, "list", "--token", "admin").code());
        TestEnv.Run r = env().run("devices", "list", "--server", url, "--token", "admin", "-o", "json");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("{\n  \"count\" : 1,") || r.out().startsWith("{" + System.lineSeparator()), r.out());
        assertTrue(r.out().contains("\"deviceId\" : \"pump-7\""), r.out());
    }

    @Test
    void completionPrintsABashScriptForTheWholeTree() {
        TestEnv.Run r = env().run("completion", "bash");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("complete -F") && r.out().contains("nanofleet"), r.out().substring(0, 200));
        for (String word : List.of("rollouts", "watch", "--until-paused", "enroll-token", "--no-wait")) {
            assertTrue(r.out().contains(word), word);
        }
    }
}
