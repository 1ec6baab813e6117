package io.nanofleet.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nanofleet.agent.queue.DiskQueue;
import io.nanofleet.agent.testing.AgentProcess;
import io.nanofleet.agent.testing.Await;
import io.nanofleet.agent.testing.Mosquitto;
import io.nanofleet.agent.testing.Recorder;
import io.nanofleet.agent.testing.TcpGate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged agent as a child JVM: SIGKILLed while it has a backlog, restarted, stopped with SIGTERM while
 * the broker is down, restarted again; every message it ever queued reaches the broker, once after de-dup.
 */
class CrashIT {
    @TempDir
    Path dir;

    @Test
    void sigkillAndSigtermLoseNothingThatWasQueued() throws Exception {
        assumeTrue(Mosquitto.available(), "mosquitto not installed at " + Mosquitto.BINARY + " (apt-get install mosquitto)");
        Path state = dir.resolve("state");
        Path conf = dir.resolve("agent.conf");
        try (Mosquitto broker = new Mosquitto(Files.createDirectories(dir.resolve("broker")), "").start();
             TcpGate gate = new TcpGate(broker.port())) {
            Files.writeString(conf, String.join("\n",
                    "device.id = crash-1",
                    "state.dir = " + state,
                    "mqtt.url = mqtt://127.0.0.1:" + gate.port(),
                    "sensor.type = simulated",
                    "sensor.sample-interval-ms = 10",
                    "telemetry.interval-ms = 100",
                    "reconnect.min-ms = 100",
                    "reconnect.max-ms = 1000",
                    "commands.require-signature = false", ""));
            Recorder recorder = new Recorder(broker.url(), "crash-1");
            Path log = dir.resolve("agent.log");

            AgentProcess first = new AgentProcess(log, "run", "--config", conf.toString());
            Await.until(Duration.ofSeconds(60), "first summaries", () -> recorder.firstArrivals().size() >= 20,
                    () -> safeLog(first));
            // Cut the device off first, give the broker a moment to hand the recorder everything it acknowledged,
            // then take the broker away for real.
            gate.open(false);
            Thread.sleep(1000);
            broker.stop();
            recorder.close();
            Thread.sleep(3000); // ~30 summaries queue up with nobody to take them
            first.kill();
            long killedAt;
            long pendingAtKill;
            try (DiskQueue q = new DiskQueue(state.resolve("queue"), 16L << 20, 256L << 10, true)) {
                killedAt = q.lastIndex();
                pendingAtKill = q.pending();
            }
            assertTrue(pendingAtKill >= 10, "backlog on disk after SIGKILL: " + pendingAtKill);

            AgentProcess second = new AgentProcess(log, "run", "--config", conf.toString());
            Thread.sleep(3000);
            assertEquals(143, second.terminate(), "SIGTERM is a clean stop (128 + 15)");
            long stoppedAt;
            try (DiskQueue q = new DiskQueue(state.resolve("queue"), 16L << 20, 256L << 10, true)) {
                stoppedAt = q.lastIndex();
                assertTrue(q.pending() > pendingAtKill, "the second run's summaries were flushed to disk too");
            }
            assertTrue(stoppedAt > killedAt, "the index continues after a crash: " + killedAt + " -> " + stoppedAt);
            assertTrue(Files.readString(state.resolve("status")).contains("agent: stopped"));

            broker.start();
            Recorder after = new Recorder(broker.url(), "crash-1", recorder);
            gate.open(true);
            AgentProcess third = new AgentProcess(log, "run", "--config", conf.toString());
            Await.until(Duration.ofSeconds(60), "everything up to " + stoppedAt,
                    () -> after.firstArrivals().size() >= stoppedAt, () -> "got " + after.firstArrivals().size());
            // The fleet's 'restart' command: the agent answers, shuts down cleanly and exits 75 for systemd to restart it.
            after.publish(io.nanofleet.protocols.Topics.cmd("crash-1"), io.nanofleet.protocols.Codecs.COMMAND.encode(
                    io.nanofleet.protocols.v1.Command.newBuilder().setDeviceId("crash-1").setCommandId("restart-1")
                            .setAction("restart").build()));
            assertTrue(third.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "restart command ends the process");
            assertEquals(75, third.process().exitValue());
            // SIGTERM flushes the last window's summary to disk; it may not have been published before the
            // agent stopped. Such entries stay queued for the next run, so the invariant is: every index up to
            // the last one either reached the broker or is still unacknowledged on disk.
            long last;
            long acked;
            try (DiskQueue q = new DiskQueue(state.resolve("queue"), 16L << 20, 256L << 10, true)) {
                last = q.lastIndex();
                acked = q.ackedThrough();
            }
            Await.until(Duration.ofSeconds(30), "all acknowledged up to " + acked, () -> after.firstArrivals().size() >= acked,
                    () -> "got " + after.firstArrivals().size());
            java.util.TreeSet<Long> accounted = new java.util.TreeSet<>(after.firstArrivals());
            LongStream.rangeClosed(acked + 1, last).forEach(accounted::add);
            List<Long> expected = LongStream.rangeClosed(1, last).boxed().toList();
            assertEquals(expected, List.copyOf(accounted), "nothing lost (arrived or still queued), nothing invented");
            assertEquals(List.of(), after.conflicts(), "no index was reused for a different message");
            after.close();
        }
    }

    private static String safeLog(AgentProcess p) {
        try {
            return p.log();
        } catch (Exception e) {
            return "";
        }
    }
}
