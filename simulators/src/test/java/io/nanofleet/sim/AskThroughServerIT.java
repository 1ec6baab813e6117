package io.nanofleet.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.agent.DeviceAgent;
import io.nanofleet.agent.ask.AskJson;
import io.nanofleet.agent.ask.AskOptions;
import io.nanofleet.agent.ask.AskResult;
import io.nanofleet.agent.ask.OperatorClient;
import io.nanofleet.agent.enroll.Credentials;
import io.nanofleet.agent.enroll.Enroller;
import io.nanofleet.agent.sensor.SimulatedSensor;
import io.nanofleet.intents.model.CommandModel;
import io.nanofleet.intents.model.Prediction;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.v1.CommandResult;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.server.FleetServer;
import io.nanofleet.server.ServerConfig;
import io.nanofleet.server.ask.FleetDataAnswerer;
import io.nanofleet.server.store.EventRow;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, the ask path end to end with nothing standing in: one real agent (enrolled with its own Enroller, mutual
 * TLS, the bundled command model, its operator socket in the state directory) against the real in-process fleet
 * server (embedded broker, SQLite, its {@code AskResponder} with the placeholder {@link FleetDataAnswerer}).
 * An in-scope command asked over the Unix socket is answered on the device; an out-of-scope question that names the
 * device's summary goes over MQTT 5 to the server and comes back answered from fleet data, under its own query id;
 * one the answerer cannot answer comes back ok=false with its "no model" error. With the server stopped, a question
 * waits on disk (the asker hears it is pending); the server is started again on the same data directory and port,
 * the agent reconnects and the question is answered.
 */
class AskThroughServerIT {
    static final String ID = "gw-ask";
    static final String HW = "sim-gw";
    static final String SUMMARY = "give me a summary of my emails";
    static final String UNANSWERABLE = "who won the football game yesterday";
    static final String OFFLINE = "give me a summary of the news today";

    @TempDir
    Path dir;

    private FleetServer server;
    private DeviceAgent agent;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);

    @AfterEach
    void tearDown() {
        if (agent != null) {
            agent.close();
        }
        if (server != null) {
            server.close();
        }
        scheduler.shutdownNow();
    }

    private FleetServer startServer(int mqttsPort, int httpPort) throws Exception {
        return new FleetServer(ServerConfig.builder().onlineTargetsKey(true).httpHost("127.0.0.1").httpPort(httpPort)
                .mqttHost("127.0.0.1").plainMqtt(false).mqttsPort(mqttsPort).coapPort(0).dataDir(dir.resolve("server")).build())
                .start();
    }

    @Test
    void askedOnTheDeviceAnsweredByTheServerAndQueuedWhileItIsDown() throws Exception {
        CommandModel model = CommandModel.bundled();
        Prediction status = model.predictor().predict("what is the status of this device");
        assertTrue(status.local() && status.intent().equals("agent_status"), "the shipped model answers status locally: " + status);
        for (String q : new String[] {SUMMARY, UNANSWERABLE, OFFLINE}) {
            Prediction p = model.predictor().predict(q);
            assertFalse(p.local(), "the shipped model offloads '" + q + "': " + p);
        }

        server = startServer(0, 0);
        String base = "http://127.0.0.1:" + server.httpPort();
        int mqttsPort = URI.create(server.tlsUri()).getPort();
        int httpPort = server.httpPort();
        String token = server.identity().createToken(ID, 600, null, List.of(), "test").token();
        Path home = dir.resolve("agent");
        Credentials creds = new Credentials(home.resolve("credentials"));
        Enroller.Result enrolled = new Enroller(null).enroll(base, token, ID, HW, DeviceAgent.VERSION, creds);
        Path state = home.resolve("state");
        Path socket = state.resolve("agent.sock");
        agent = DeviceAgent.builder().deviceId(ID).hardwareId(HW).broker(enrolled.mqttUrl()).tls(creds.sslContext())
                .commandKey(creds.commandKey()).sensor(new SimulatedSensor(1)).stateDir(state).scheduler(scheduler)
                .sampleIntervalMs(50).telemetryIntervalMs(1000).stateIntervalMs(500).reconnect(200, 1000)
                .updatesDisabled("not under test")
                .ask(AskOptions.of(model).socket(socket)).build();
        agent.start();
        await(Duration.ofSeconds(60), "the agent online at the server", () -> agent.isConnected() && online());
        await(Duration.ofSeconds(60), "a telemetry summary stored", () -> summaries() > 0);

        // 1. In scope, over the Unix socket: answered on the device by the nano model.
        AskResult local = ask(socket, "what is the status of this device", 10_000);
        assertEquals(AskResult.Outcome.DONE, local.outcome(), local.toString());
        assertEquals("local", local.decision());
        assertEquals("nano", local.source());
        assertEquals("agent_status", local.intent());
        assertTrue(local.answer().startsWith("connected to the fleet"), local.answer());
        assertEquals(0, agent.askService().pendingCount());

        // 2. Out of scope, naming the summary: over MQTT 5 to the server's responder, answered from fleet data.
        AskResult summary = ask(socket, SUMMARY, 30_000);
        assertEquals(AskResult.Outcome.DONE, summary.outcome(), summary.toString());
        assertEquals("offload", summary.decision());
        assertEquals("fleet", summary.source());
        assertTrue(summary.id().startsWith("q-"), summary.id());
        assertTrue(summary.answer().startsWith("Latest summary ("), summary.answer());
        assertTrue(summary.error().isEmpty(), summary.error());
        // The answer was accepted only because its correlation data and query id both named this question; the
        // device recorded it, and the record reached the server.
        CommandResult recorded = awaitEvent(summary.id());
        assertEquals(CommandResult.Status.OK, recorded.getStatus(), recorded.toString());
        assertEquals("fleet", recorded.getOutputOrThrow("source"));
        assertEquals(summary.id(), recorded.getOutputOrThrow("id"));
        assertEquals("0", agent.askService().counters().get("ask.answers.unknown_correlation"), agent.askService().counters().toString());
        assertEquals("0", agent.askService().counters().get("ask.answers.mismatched"), agent.askService().counters().toString());

        // ... and one the placeholder answerer cannot answer: ok=false, its error, still from the fleet.
        AskResult none = ask(socket, UNANSWERABLE, 30_000);
        assertEquals(AskResult.Outcome.FAILED, none.outcome(), none.toString());
        assertEquals("offload", none.decision());
        assertEquals("fleet", none.source());
        assertEquals(FleetDataAnswerer.NO_MODEL, none.error());
        assertEquals(CommandResult.Status.FAILED, awaitEvent(none.id()).getStatus());

        // 3. The fleet is down: the question waits on disk and the asker hears so.
        server.close();
        server = null;
        await(Duration.ofSeconds(60), "the agent disconnected", () -> !agent.isConnected());
        AskResult queued = ask(socket, OFFLINE, 1_000);
        assertEquals(AskResult.Outcome.PENDING, queued.outcome(), queued.toString());
        assertEquals("offload", queued.decision());
        assertTrue(queued.error().startsWith("the fleet is not reachable now; the question is kept on the device"), queued.error());
        assertEquals(1, agent.askService().pendingCount());
        assertEquals(1, pendingFiles(state));

        // The same server again (data directory, ports): the agent reconnects and the question goes out.
        server = startServer(mqttsPort, httpPort);
        await(Duration.ofSeconds(90), "the agent reconnected", agent::isConnected);
        AskResult later = AskJson.parseResult(OperatorClient.exchange(socket,
                AskJson.request(new AskJson.Request(null, false, 60_000, queued.id())), 70_000));
        assertEquals(AskResult.Outcome.DONE, later.outcome(), later.toString());
        assertEquals(queued.id(), later.id());
        assertEquals("fleet", later.source());
        assertTrue(later.answer().startsWith("Latest summary ("), later.answer());
        assertEquals(0, agent.askService().pendingCount());
        assertEquals(0, pendingFiles(state));
        assertEquals("fleet", awaitEvent(queued.id()).getOutputOrThrow("source"));
    }

    /** One question over the operator socket, as {@code nanofleet-agent ask --output json} sends it. */
    private static AskResult ask(Path socket, String text, long timeoutMs) throws Exception {
        String line = OperatorClient.exchange(socket, AskJson.request(new AskJson.Request(text, false, timeoutMs, null)),
                timeoutMs + 15_000);
        AskResult r = AskJson.parseResult(line);
        assertEquals(text, r.text(), line);
        return r;
    }

    /** The device's record of a question ({@code ask-<id>}), as the server stored it. */
    private CommandResult awaitEvent(String queryId) throws Exception {
        CommandResult[] found = new CommandResult[1];
        await(Duration.ofSeconds(60), "the event for " + queryId + " at the server", () -> {
            found[0] = event("ask-" + queryId);
            return found[0] != null;
        });
        assertNotNull(found[0]);
        return found[0];
    }

    private CommandResult event(String commandId) {
        try {
            for (EventRow row : server.store().events(ID, 500)) {
                Event e = Codecs.EVENT.decode(row.payload());
                if (e.hasCommandResult() && e.getCommandResult().getCommandId().equals(commandId)) {
                    return e.getCommandResult();
                }
            }
        } catch (Exception e) {
            return null;
        }
        return null;
    }

    private boolean online() {
        try {
            return server.store().devices().stream().anyMatch(d -> d.deviceId().equals(ID) && d.online());
        } catch (Exception e) {
            return false;
        }
    }

    private int summaries() {
        try {
            return server.store().summaries(ID, 16).size();
        } catch (Exception e) {
            return 0;
        }
    }

    private static long pendingFiles(Path state) throws Exception {
        Path d = state.resolve("ask");
        if (!Files.isDirectory(d)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".q")).count();
        }
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
