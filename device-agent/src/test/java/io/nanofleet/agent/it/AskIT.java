package io.nanofleet.agent.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.ghgande.j2mod.modbus.procimg.SimpleDigitalOut;
import com.ghgande.j2mod.modbus.procimg.SimpleProcessImage;
import com.ghgande.j2mod.modbus.procimg.SimpleRegister;
import com.ghgande.j2mod.modbus.slave.ModbusSlave;
import com.ghgande.j2mod.modbus.slave.ModbusSlaveFactory;
import io.nanofleet.agent.DeviceAgent;
import io.nanofleet.agent.ask.AskJson;
import io.nanofleet.agent.ask.AskOptions;
import io.nanofleet.agent.ask.AskResult;
import io.nanofleet.agent.ask.Bindings;
import io.nanofleet.agent.cli.AgentMain;
import io.nanofleet.agent.sensor.ModbusRegister;
import io.nanofleet.agent.sensor.ModbusSensor;
import io.nanofleet.agent.testing.Await;
import io.nanofleet.agent.testing.Mosquitto;
import io.nanofleet.agent.testing.Recorder;
import io.nanofleet.agent.testing.TcpGate;
import io.nanofleet.intents.model.CommandModel;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.CommandSignatures;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.Answer;
import io.nanofleet.protocols.v1.Command;
import io.nanofleet.protocols.v1.CommandResult;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.Query;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real agent (the builder's parts, Paho MQTT 5, the disk state) against the broker named by
 * {@code NANOFLEET_IT_MQTT_URL}, asked through {@code nanofleet-agent ask} over its Unix socket. A Paho v5 client
 * subscribed to {@code nf/v1/d/+/ask} stands in for the fleet server's responder: it answers on the response topic
 * the query names, with the correlation data it carried. In-scope commands are answered on the device (a bound coil
 * written to a Modbus server over the Modbus sensor's connection, after confirmation); out-of-scope ones go to the
 * responder; a wrong correlation is ignored; a slow answer times out and is recorded later; a question asked while
 * the broker is unreachable waits on disk, survives an agent restart and is answered after the reconnect; an
 * unanswered one expires. The fleet's signed {@code ask} command goes through the same service.
 */
class AskIT {
    private static final String URL = System.getenv("NANOFLEET_IT_MQTT_URL");
    private static final CommandModel MODEL = CommandModel.bundled();

    @TempDir
    Path dir;

    private final String id = "ask-" + UUID.randomUUID().toString().substring(0, 8);
    private final KeyPair server = keys();
    private final List<Received> queries = new CopyOnWriteArrayList<>();
    private volatile String mode = "answer";
    private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
    private TcpGate gate;
    private Recorder recorder;
    private MqttAsyncClient responder;
    private DeviceAgent agent;
    private ModbusSlave plc;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** A query as the responder saw it, with its MQTT 5 properties. */
    record Received(String topic, Query query, String responseTopic, byte[] correlation) {}

    private static KeyPair keys() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        if (agent != null) {
            agent.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {recorder, gate}) {
            if (c != null) {
                c.close();
            }
        }
        if (responder != null) {
            responder.disconnect().waitForCompletion(3000);
            responder.close(true);
        }
        if (plc != null) {
            ModbusSlaveFactory.close(plc);
        }
        later.shutdownNow();
    }

    /** The stand-in for the fleet server's responder. */
    private void startResponder(String broker) throws MqttException {
        responder = new MqttAsyncClient(broker, "responder-" + id, new MemoryPersistence());
        responder.setCallback(new MqttCallback() {
            @Override
            public void messageArrived(String topic, MqttMessage m) throws Exception {
                if (!topic.equals(Topics.ask(id))) {
                    return; // another test's device
                }
                Query q = Codecs.QUERY.decode(m.getPayload());
                MqttProperties p = m.getProperties();
                queries.add(new Received(topic, q, p.getResponseTopic(), p.getCorrelationData()));
                respond(q, p.getResponseTopic(), p.getCorrelationData());
            }

            @Override
            public void disconnected(MqttDisconnectResponse r) {}

            @Override
            public void mqttErrorOccurred(MqttException e) {}

            @Override
            public void deliveryComplete(IMqttToken t) {}

            @Override
            public void connectComplete(boolean reconnect, String uri) {}

            @Override
            public void authPacketArrived(int code, MqttProperties p) {}
        });
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        responder.connect(o).waitForCompletion(10_000);
        responder.subscribe(Topics.allDevices(io.nanofleet.protocols.Channel.ASK), 1).waitForCompletion(10_000);
    }

    private void respond(Query q, String responseTopic, byte[] correlation) throws MqttException {
        byte[] good = Codecs.ANSWER.encode(Answer.newBuilder().setDeviceId(q.getDeviceId()).setQueryId(q.getQueryId()).setOk(true)
                .setText("fleet: " + q.getText()).setSource("fleet").build());
        switch (mode) {
            case "ignore":
                return;
            case "wrong-first":
                // An answer under another correlation, and one whose correlation is right but whose query id is not.
                publish(responseTopic, Codecs.ANSWER.encode(Answer.newBuilder().setDeviceId(q.getDeviceId())
                        .setQueryId(q.getQueryId()).setOk(true).setText("WRONG (correlation)").build()),
                        "q-not-a-question".getBytes(StandardCharsets.UTF_8));
                publish(responseTopic, Codecs.ANSWER.encode(Answer.newBuilder().setDeviceId(q.getDeviceId())
                        .setQueryId("q-someone-else").setOk(true).setText("WRONG (query id)").build()), correlation);
                later.schedule(() -> publishQuietly(responseTopic, good, correlation), 500, TimeUnit.MILLISECONDS);
                return;
            case "slow":
                later.schedule(() -> publishQuietly(responseTopic, good, correlation), 2500, TimeUnit.MILLISECONDS);
                return;
            default:
                publish(responseTopic, good, correlation);
        }
    }

    private void publish(String topic, byte[] payload, byte[] correlation) throws MqttException {
        MqttProperties p = new MqttProperties();
        p.setCorrelationData(correlation);
        responder.publish(topic, new MqttMessage(payload, 1, false, p)).waitForCompletion(5000);
    }

    private void publishQuietly(String topic, byte[] payload, byte[] correlation) {
        try {
            publish(topic, payload, correlation);
        } catch (MqttException e) {
            throw new IllegalStateException(e);
        }
    }

    private DeviceAgent agent(long expiryMs) throws Exception {
        Bindings b = Bindings.of(Map.of("iot_hue_lightoff", "modbus-coil:17:off", "iot_coffee", "reply:No coffee on a gateway"), MODEL.localIntents(), true);
        ModbusSensor sensor = new ModbusSensor("127.0.0.1", plcPort, 1, 2000, ModbusRegister.parseMap("pressure:holding:0, flow:holding:1"));
        DeviceAgent a = DeviceAgent.builder().deviceId(id).broker("tcp://127.0.0.1:" + gate.port()).sensor(sensor)
                .stateDir(dir.resolve("state")).detector(false).sampleIntervalMs(500).telemetryIntervalMs(1000).stateIntervalMs(1000)
                .reconnect(100, 500).commandKey(server.getPublic())
                .ask(AskOptions.of(MODEL).bindings(b).modbus(sensor.connection()).socket(socket()).offloadExpiryMs(expiryMs))
                .build();
        a.start();
        return a;
    }

    private int plcPort;

    private Path socket() {
        return dir.resolve("state").resolve("agent.sock");
    }

    private int ask(String... args) {
        out.reset();
        err.reset();
        String[] all = new String[args.length + 3];
        all[0] = "ask";
        all[1] = "--socket";
        all[2] = socket().toString();
        System.arraycopy(args, 0, all, 3, args.length);
        PrintStream o = System.out;
        PrintStream e = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return AgentMain.execute(all);
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

    private CommandResult askEvent(String queryId) {
        return recorder.events().stream().filter(Event::hasCommandResult).map(Event::getCommandResult)
                .filter(r -> r.getCommandId().equals("ask-" + queryId)).findFirst().orElse(null);
    }

    private long pendingFiles() throws Exception {
        Path d = dir.resolve("state").resolve("ask");
        if (!Files.isDirectory(d)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".q")).count();
        }
    }

    private CommandResult command(String text, Map<String, String> extra) throws Exception {
        Command c = CommandSignatures.sign(Command.newBuilder().setDeviceId(id).setCommandId(UUID.randomUUID().toString())
                .setAction("ask").putArguments("text", text).putAllArguments(extra).setIssuedAtMs(System.currentTimeMillis())
                .setExpiresAtMs(System.currentTimeMillis() + 60_000).build(), server.getPrivate(), "k1");
        recorder.publish(Topics.cmd(id), Codecs.COMMAND.encode(c));
        Await.until(Duration.ofSeconds(20), "result of ask " + text, () -> recorder.events().stream()
                .anyMatch(e -> e.hasCommandResult() && e.getCommandResult().getCommandId().equals(c.getCommandId())));
        return recorder.events().stream().filter(Event::hasCommandResult).map(Event::getCommandResult)
                .filter(r -> r.getCommandId().equals(c.getCommandId())).findFirst().orElseThrow();
    }

    @Test
    void askedLocallyOffloadedOverMqtt5AndSurvivingAnUnreachableFleet() throws Exception {
        assumeTrue(URL != null, "NANOFLEET_IT_MQTT_URL is not set (CI sets mqtt://127.0.0.1:1883); skipping the ask test");
        URI broker = URI.create(URL);
        String direct = "tcp://" + broker.getHost() + ":" + broker.getPort();
        gate = new TcpGate(broker.getPort());
        SimpleProcessImage image = new SimpleProcessImage(1);
        image.addRegister(new SimpleRegister(100));
        image.addRegister(new SimpleRegister(200));
        for (int i = 0; i < 20; i++) {
            image.addDigitalOut(new SimpleDigitalOut(true));
        }
        plcPort = Mosquitto.freePort();
        plc = ModbusSlaveFactory.createTCPSlave(InetAddress.getLoopbackAddress(), plcPort, 2, false);
        plc.addProcessImage(1, image);
        plc.open();
        recorder = new Recorder(direct, id);
        startResponder(direct);
        agent = agent(3_600_000);
        Await.until(Duration.ofSeconds(20), "the agent connected", agent::isConnected);

        // 1. In scope: answered on the device. The bound coil is written only once confirmed.
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(socket())));
        assertEquals(1, ask("turn off the kitchen lights"));
        assertTrue(stdout().startsWith("confirm: write coil 17 = off on 127.0.0.1:" + plcPort + " unit 1? "), stdout());
        assertTrue(image.getDigitalOut(17).isSet(), "not written before the confirmation");
        String token = stdout().replaceAll(".*\"confirm ([0-9a-f]{8})\".*", "$1");
        assertEquals(0, ask("confirm " + token), stderr());
        assertEquals("coil 17 set off (127.0.0.1:" + plcPort + " unit 1)", stdout());
        assertFalse(image.getDigitalOut(17).isSet(), "the PLC's coil 17 is off");
        assertEquals(0, ask("--output", "json", "make me a coffee"), stderr());
        AskResult coffee = AskJson.parseResult(stdout());
        assertEquals("local", coffee.decision());
        assertEquals("iot_coffee", coffee.intent());
        assertEquals("nano", coffee.source());
        assertEquals("No coffee on a gateway", coffee.answer());
        Await.until(Duration.ofSeconds(20), "the local answer's event", () -> askEvent(coffee.id()) != null);
        assertEquals(CommandResult.Status.OK, askEvent(coffee.id()).getStatus());
        assertEquals("iot_coffee", askEvent(coffee.id()).getOutputOrThrow("intent"));
        assertTrue(queries.isEmpty(), "nothing in scope went to the fleet");

        // 2. Out of scope: an MQTT 5 request with response topic and correlation data, answered by the responder.
        assertEquals(0, ask("--output", "json", "what's the weather like tomorrow"), stderr());
        AskResult weather = AskJson.parseResult(stdout());
        assertEquals("offload", weather.decision());
        assertEquals("fleet", weather.source());
        assertEquals("fleet: what's the weather like tomorrow", weather.answer());
        assertEquals(1, queries.size());
        Received q = queries.get(0);
        assertEquals("nf/v1/d/" + id + "/ask", q.topic());
        assertEquals("nf/v1/d/" + id + "/answers", q.responseTopic());
        assertArrayEquals(weather.id().getBytes(StandardCharsets.UTF_8), q.correlation());
        assertEquals(weather.id(), q.query().getQueryId());
        assertEquals(id, q.query().getDeviceId());
        assertEquals("weather_query", q.query().getLocalIntent());
        assertTrue(q.query().getLocalConfidence() > 0 && q.query().getTimestampMs() > 0);
        Await.until(Duration.ofSeconds(20), "the fleet answer's event", () -> askEvent(weather.id()) != null);
        assertEquals("fleet", askEvent(weather.id()).getOutputOrThrow("source"));

        // 3. Wrong correlation data and a wrong query id under the right one: ignored, counted, the asker gets its own.
        mode = "wrong-first";
        assertEquals(0, ask("tell me a joke"), stderr());
        assertEquals("fleet: tell me a joke", stdout());
        Map<String, String> c = agent.askService().counters();
        assertEquals("1", c.get("ask.answers.unknown_correlation"), c.toString());
        assertEquals("1", c.get("ask.answers.mismatched"), c.toString());

        // 4. Timeout: the asker hears that the question stays pending; the late answer is recorded.
        mode = "slow";
        assertEquals(1, ask("--timeout", "1s", "--output", "json", "who won the football game yesterday"));
        AskResult slow = AskJson.parseResult(stdout());
        assertEquals(AskResult.Outcome.PENDING, slow.outcome());
        assertTrue(slow.error().startsWith("the fleet did not answer within 1 s; the question stays pending until"), slow.error());
        Await.until(Duration.ofSeconds(20), "the late answer recorded", () -> askEvent(slow.id()) != null);
        assertEquals(0, ask("--id", slow.id()), stderr());
        assertEquals("fleet: who won the football game yesterday", stdout());

        // 5. The fleet signs an ask command: answered locally in the command's result, or handed back.
        CommandResult status = command("what is the status of the device", Map.of());
        assertEquals(CommandResult.Status.OK, status.getStatus(), status.toString());
        assertEquals("agent_status", status.getOutputOrThrow("intent"));
        assertTrue(status.getMessage().startsWith("connected to the fleet"), status.getMessage());
        CommandResult handedBack = command("what's the weather like tomorrow", Map.of());
        assertEquals(CommandResult.Status.REJECTED, handedBack.getStatus());
        assertEquals("this device hands this question to the fleet", handedBack.getMessage());
        assertEquals("offload", handedBack.getOutputOrThrow("decision"));
        assertEquals(3, queries.size(), "the fleet's own question was not sent back to it");

        // 6. The broker is unreachable when the operator asks: the question waits on disk, also across a restart.
        mode = "answer";
        gate.open(false);
        Await.until(Duration.ofSeconds(20), "the agent disconnected", () -> !agent.isConnected());
        assertEquals(1, ask("--timeout", "500ms", "--output", "json", "what's the weather like in paris"));
        AskResult offline = AskJson.parseResult(stdout());
        assertEquals(AskResult.Outcome.PENDING, offline.outcome());
        assertTrue(offline.error().startsWith("the fleet is not reachable now; the question is kept on the device and goes out "
                + "when the connection is back"), offline.error());
        assertEquals(1, pendingFiles());
        agent.close();
        agent = agent(3000); // new questions from now on expire after 3 s
        assertEquals("1", agent.askService().counters().get("ask.restored"));
        Thread.sleep(500);
        assertEquals(3, queries.size(), "nothing reached the fleet while it was unreachable");
        gate.open(true);
        Await.until(Duration.ofSeconds(30), "the reconnect", agent::isConnected);
        Await.until(Duration.ofSeconds(20), "the queued query answered", () -> askEvent(offline.id()) != null);
        assertEquals(offline.id(), queries.get(3).query().getQueryId());
        assertEquals(0, ask("--id", offline.id()), stderr());
        assertEquals("fleet: what's the weather like in paris", stdout());
        assertEquals(0, pendingFiles());

        // 7. Nobody answers: the question expires with a clear message.
        mode = "ignore";
        assertEquals(1, ask("--timeout", "10s", "tell me a joke about cats"));
        assertEquals("the fleet did not answer within 3 s; ask again", stderr());
        assertEquals(0, pendingFiles());
        Map<String, String> counters = agent.counters();
        assertEquals("1", counters.get("ask.expired"), counters.toString());
    }
}
