package io.nanofleet.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nanofleet.agent.DeviceAgent;
import io.nanofleet.agent.command.CommandGuard;
import io.nanofleet.agent.sensor.SimulatedSensor;
import io.nanofleet.agent.testing.Await;
import io.nanofleet.agent.testing.Recorder;
import io.nanofleet.anomaly.detect.DetectorConfig;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.CommandSignatures;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.Command;
import io.nanofleet.protocols.v1.CommandResult;
import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.Event;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent against the broker named by {@code NANOFLEET_IT_MQTT_URL} (CI: the machine's Mosquitto on 1883),
 * plain MQTT: state, summaries, every command, and every kind of bad command refused, counted and answered
 * while the agent keeps running.
 */
class MqttCommandsIT {
    private static final String URL = System.getenv("NANOFLEET_IT_MQTT_URL");

    @TempDir
    Path dir;

    private DeviceAgent agent;
    private Recorder recorder;
    private final KeyPair server = keys();
    private final String id = "it-" + UUID.randomUUID().toString().substring(0, 8);

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
        if (recorder != null) {
            recorder.close();
        }
    }

    private Command command(String action, Map<String, String> args, long ttlMs) {
        return Command.newBuilder().setDeviceId(id).setCommandId(UUID.randomUUID().toString()).setAction(action)
                .putAllArguments(args).setIssuedAtMs(System.currentTimeMillis()).setExpiresAtMs(System.currentTimeMillis() + ttlMs).build();
    }

    private Command signed(Command c) {
        return CommandSignatures.sign(c, server.getPrivate(), "k1");
    }

    private CommandResult send(Command c) throws Exception {
        recorder.publish(Topics.cmd(id), Codecs.COMMAND.encode(c));
        Await.until(Duration.ofSeconds(20), "result of " + c.getAction(), () -> result(c.getCommandId()) != null);
        return result(c.getCommandId());
    }

    private CommandResult result(String commandId) {
        return recorder.events().stream().filter(Event::hasCommandResult).map(Event::getCommandResult)
                .filter(r -> r.getCommandId().equals(commandId)).reduce((a, b) -> b).orElse(null);
    }

    private long resultsFor(String commandId) {
        return recorder.eventsMatching(e -> e.hasCommandResult() && e.getCommandResult().getCommandId().equals(commandId));
    }

    @Test
    void commandsRunAndBadOnesAreRefusedCountedAndAnswered() throws Exception {
        assumeTrue(URL != null, "NANOFLEET_IT_MQTT_URL is not set (CI sets mqtt://127.0.0.1:1883); skipping the plain-MQTT test");
        String broker = URL.replace("mqtt://", "tcp://");
        recorder = new Recorder(broker, id);
        agent = DeviceAgent.builder().deviceId(id).broker(broker).sensor(new SimulatedSensor(3)).stateDir(dir)
                .sampleIntervalMs(20).telemetryIntervalMs(300).stateIntervalMs(500)
                .detectorConfig(new DetectorConfig(10, 200, 3, 0.99, 1.5, 1.0, 60))
                .commandKey(server.getPublic()).build();
        agent.start();
        Await.until(Duration.ofSeconds(20), "online state", () -> recorder.states().stream()
                .anyMatch(s -> s.getStatus() == DeviceState.Status.ONLINE && s.getChannelsCount() == 4));
        Await.until(Duration.ofSeconds(20), "summaries", () -> recorder.telemetry().size() >= 3);

        // Good commands.
        CommandResult ping = send(signed(command("ping", Map.of("x", "1"), 60_000)));
        assertEquals(CommandResult.Status.OK, ping.getStatus());
        assertEquals("1", ping.getOutputOrThrow("x"));
        assertEquals(CommandResult.Status.OK, send(signed(command("set-config", Map.of("telemetry.interval-ms", "200"), 60_000))).getStatus());
        CommandResult badKey = send(signed(command("set-config", Map.of("device.id", "x"), 60_000)));
        assertEquals(CommandResult.Status.REJECTED, badKey.getStatus());
        assertTrue(badKey.getMessage().contains("cannot be set at run time"), badKey.getMessage());
        assertEquals(CommandResult.Status.REJECTED,
                send(signed(command("set-config", Map.of("telemetry.interval-ms", "1"), 60_000))).getStatus());
        CommandResult self = send(signed(command("self-test", Map.of(), 60_000)));
        assertEquals(CommandResult.Status.OK, self.getStatus(), self.toString());
        assertEquals("connected", self.getOutputOrThrow("uplink"));
        assertEquals(CommandResult.Status.OK, send(signed(command("recalibrate", Map.of(), 60_000))).getStatus());
        assertEquals(CommandResult.Status.FAILED, send(signed(command("restart", Map.of(), 60_000))).getStatus(),
                "embedded agents cannot restart themselves");
        int before = recorder.telemetry().size();
        assertEquals(CommandResult.Status.OK, send(signed(command("stream-raw", Map.of("duration_s", "1"), 60_000))).getStatus());
        Await.until(Duration.ofSeconds(20), "raw samples", () -> recorder.telemetry().stream().skip(before)
                .filter(t -> t.getChannels(0).getCount() == 1).count() >= 20);
        assertEquals(CommandResult.Status.REJECTED,
                send(signed(command("stream-raw", Map.of("duration_s", "99999"), 60_000))).getStatus(), "bounded");

        // Bad ones.
        recorder.publish(Topics.cmd(id), new byte[] {1, 2, 3, 4});
        recorder.publish(Topics.cmd(id), new byte[0]);
        CommandResult expired = send(signed(command("ping", Map.of(), -1000)));
        assertEquals(CommandResult.Status.EXPIRED, expired.getStatus());
        CommandResult unsigned = send(command("ping", Map.of(), 60_000));
        assertEquals(CommandResult.Status.REJECTED, unsigned.getStatus());
        Command forged = signed(command("ping", Map.of(), 60_000)).toBuilder().setAction("restart").build();
        assertEquals(CommandResult.Status.REJECTED, send(forged).getStatus());
        Command once = signed(command("ping", Map.of(), 60_000));
        assertEquals(CommandResult.Status.OK, send(once).getStatus());
        recorder.publish(Topics.cmd(id), Codecs.COMMAND.encode(once));
        Await.until(Duration.ofSeconds(20), "duplicate answer", () -> resultsFor(once.getCommandId()) == 2);
        assertEquals(CommandResult.Status.DUPLICATE, result(once.getCommandId()).getStatus());
        Command foreign = signed(command("ping", Map.of(), 60_000).toBuilder().setDeviceId("someone-else").build());
        recorder.publish(Topics.cmd(id), Codecs.COMMAND.encode(foreign));

        CommandGuard g = agent.commandGuard();
        Await.until(Duration.ofSeconds(20), "refusals counted", () -> g.refused(CommandGuard.Refusal.MALFORMED) == 2
                && g.refused(CommandGuard.Refusal.OTHER_DEVICE) == 1);
        assertEquals(1, g.refused(CommandGuard.Refusal.EXPIRED));
        assertEquals(1, g.refused(CommandGuard.Refusal.UNSIGNED));
        assertEquals(1, g.refused(CommandGuard.Refusal.BAD_SIGNATURE));
        assertEquals(1, g.refused(CommandGuard.Refusal.DUPLICATE));
        assertEquals(0, resultsFor(foreign.getCommandId()), "another device's command gets no answer from us");

        // Still running, and the counters are in the published state.
        assertEquals(CommandResult.Status.OK, send(signed(command("ping", Map.of(), 60_000))).getStatus());
        Await.until(Duration.ofSeconds(20), "counters in state", () -> recorder.states().stream()
                .anyMatch(s -> "1".equals(s.getAttributesMap().get("commands.refused.unsigned"))
                        && "2".equals(s.getAttributesMap().get("commands.refused.malformed"))));
    }
}
