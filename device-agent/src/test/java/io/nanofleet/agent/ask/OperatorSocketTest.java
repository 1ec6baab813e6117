package io.nanofleet.agent.ask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.agent.cli.AgentMain;
import io.nanofleet.intents.model.CommandModel;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.v1.Answer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator socket (owner-only, one JSON line each way, bounded) and {@code nanofleet-agent ask} talking to it:
 * human and JSON output, exit codes, confirmation, a fleet that does not answer in time, and no agent at all.
 */
class OperatorSocketTest {
    static final CommandModel MODEL = CommandModel.bundled();

    @TempDir
    Path dir;

    final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    final Fakes.Link link = new Fakes.Link();
    final Fakes.Modbus modbus = new Fakes.Modbus();
    final Fakes.Target target = new Fakes.Target(System::currentTimeMillis);
    AskService service;
    OperatorSocket socket;
    Path path;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        Bindings b = Bindings.of(Map.of("iot_hue_lightoff", "reply:Lights off in the {house_place}",
                "iot_hue_lighton", "modbus-coil:17:on"), MODEL.localIntents(), true);
        service = new AskService("dev-1", AskOptions.of(MODEL).bindings(b).modbus(modbus), target, modbus, link,
                PendingQueries.at(null), e -> {}, System::currentTimeMillis, scheduler);
        service.start();
        path = dir.resolve("run").resolve("agent.sock");
        socket = new OperatorSocket(path, false, service, scheduler);
        socket.open();
    }

    @AfterEach
    void stop() {
        socket.close();
        scheduler.shutdownNow();
    }

    private int cli(String... args) {
        out.reset();
        err.reset();
        PrintStream o = System.out;
        PrintStream e = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return AgentMain.execute(args);
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8).strip();
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8).strip();
    }

    private static String raw(Path socket, byte[] request) throws IOException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer b = ByteBuffer.wrap(request);
            while (b.hasRemaining()) {
                c.write(b);
            }
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(4096);
            while (c.read(in.clear()) >= 0) {
                line.write(in.array(), 0, in.position());
            }
            return line.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void ownerOnlySocketInAnOwnerOnlyDirectoryOneLineEachWay() throws Exception {
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path.getParent())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        String line = raw(path, "{\"text\": \"turn off the kitchen lights\"}\n".getBytes(StandardCharsets.UTF_8));
        assertTrue(line.endsWith("\n") && line.indexOf('\n') == line.length() - 1, "exactly one line: " + line);
        AskResult r = AskJson.parseResult(line.strip());
        assertEquals("Lights off in the kitchen", r.answer());
        assertEquals("local", r.decision());
        assertEquals("nano", r.source());
    }

    @Test
    void humanAndJsonOutput() throws Exception {
        assertEquals(0, cli("ask", "--socket", path.toString(), "turn off the kitchen lights"));
        assertEquals("Lights off in the kitchen", stdout());
        assertEquals("", stderr());

        assertEquals(0, cli("ask", "--socket", path.toString(), "--output", "json", "turn", "off", "the", "kitchen", "lights"));
        String json = stdout();
        assertFalse(json.contains("\n"), json);
        for (String field : new String[] {"\"text\":\"turn off the kitchen lights\"", "\"decision\":\"local\"",
                "\"intent\":\"iot_hue_lightoff\"", "\"confidence\":0.", "\"slots\":{", "\"house_place\":\"kitchen\"",
                "\"answer\":\"Lights off in the kitchen\"", "\"source\":\"nano\"", "\"error\":null"}) {
            assertTrue(json.contains(field), field + " in " + json);
        }

        assertEquals(1, cli("ask", "--socket", path.toString(), "make me a coffee"));
        assertTrue(stderr().startsWith("understood iot_coffee, but nothing is bound to it on this device"), stderr());
    }

    @Test
    void confirmationFromTheCommandLine() {
        assertEquals(1, cli("ask", "--socket", path.toString(), "switch on the kitchen lights"));
        String confirm = stdout();
        assertTrue(confirm.startsWith("confirm: write coil 17 = on on plc:502 unit 1? run nanofleet-agent ask \"confirm "), confirm);
        assertTrue(modbus.writes.isEmpty());
        String token = confirm.replaceAll(".*\"confirm ([0-9a-f]{8})\".*", "$1");
        assertEquals(0, cli("ask", "--socket", path.toString(), "confirm " + token));
        assertEquals("coil 17 set on (plc:502 unit 1)", stdout());
        assertEquals(0, cli("ask", "--socket", path.toString(), "--yes", "switch on the kitchen lights"));
        assertEquals(2, modbus.writes.size());
    }

    @Test
    void aFleetThatDoesNotAnswerInTimeThenAnswers() throws Exception {
        assertEquals(1, cli("ask", "--socket", path.toString(), "--timeout", "300ms", "--output", "json", "what's the weather like tomorrow"));
        AskResult r = AskJson.parseResult(stdout());
        assertEquals(AskResult.Outcome.PENDING, r.outcome());
        assertEquals("offload", r.decision());
        assertTrue(r.error().startsWith("the fleet did not answer within 300 ms"), r.error());
        assertEquals(1, link.sent.size());
        service.handleAnswer(Codecs.ANSWER.encode(Answer.newBuilder().setDeviceId("dev-1").setQueryId(r.id()).setOk(true)
                .setText("Sunny").setSource("fleet").build()), r.id().getBytes(StandardCharsets.UTF_8));
        assertEquals(0, cli("ask", "--socket", path.toString(), "--id", r.id()));
        assertEquals("Sunny", stdout());
    }

    @Test
    void noAgentUsageAndBadRequests() throws Exception {
        Path none = dir.resolve("none.sock");
        assertEquals(1, cli("ask", "--socket", none.toString(), "hello"));
        assertEquals("no agent is listening on " + none + "; start it with 'nanofleet-agent run'", stderr());
        Path stale = dir.resolve("stale.sock");
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(stale));
        }
        assertEquals(1, cli("ask", "--socket", stale.toString(), "hello"));
        assertEquals("no agent is listening on " + stale + "; start it with 'nanofleet-agent run'", stderr());

        assertEquals(2, cli("ask", "--socket", path.toString()));
        assertEquals(2, cli("ask", "--socket", path.toString(), "--output", "xml", "hi"));
        assertEquals(2, cli("ask", "--socket", path.toString(), "--timeout", "soon", "hi"));
        assertEquals(2, cli("ask", "--socket", path.toString(), "--id", "q-1", "hi"));
        assertEquals(2, cli("ask", "--bogus"));

        AskResult big = AskJson.parseResult(raw(path, new byte[OperatorSocket.MAX_REQUEST_BYTES + 100]).strip());
        assertEquals("request longer than 8192 bytes", big.error());
        AskResult bad = AskJson.parseResult(raw(path, "{\"text\": 3}\n".getBytes(StandardCharsets.UTF_8)).strip());
        assertEquals("bad request: text must be a string", bad.error());
        AskResult notJson = AskJson.parseResult(raw(path, "turn off the lights\n".getBytes(StandardCharsets.UTF_8)).strip());
        assertTrue(notJson.error().startsWith("bad request: not JSON"), notJson.error());
    }

    @Test
    void theSocketDirectoryMustBeTheAgentsOwn() throws Exception {
        Path open = dir.resolve("open");
        Files.createDirectories(open);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        IOException e = assertThrows(IOException.class,
                () -> new OperatorSocket(open.resolve("agent.sock"), false, service, scheduler).open());
        assertTrue(e.getMessage().startsWith("ask.socket: " + open + " is open to other users (rwxr-xr-x)"), e.getMessage());
        assertFalse(Files.exists(open.resolve("agent.sock")));

        // The agent's own state directory is made owner-only, as enrollment does.
        OperatorSocket own = new OperatorSocket(open.resolve("agent.sock"), true, service, scheduler);
        own.open();
        own.close();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(open)));
        assertFalse(Files.exists(open.resolve("agent.sock")), "removed at close");

        IOException twice = assertThrows(IOException.class, () -> new OperatorSocket(path, false, service, scheduler).open());
        assertTrue(twice.getMessage().startsWith("another agent is already listening on " + path), twice.getMessage());
    }

    @Test
    void aStaleSocketFileIsReplaced() throws Exception {
        socket.close();
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(path));
        }
        assertTrue(Files.exists(path));
        socket = new OperatorSocket(path, false, service, scheduler);
        socket.open();
        assertEquals(0, cli("ask", "--socket", path.toString(), "turn off the kitchen lights"));
    }
}
