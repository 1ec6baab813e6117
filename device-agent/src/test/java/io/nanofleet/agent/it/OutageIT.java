package io.nanofleet.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nanofleet.agent.DeviceAgent;
import io.nanofleet.agent.sensor.CsvReplaySensor;
import io.nanofleet.agent.testing.Await;
import io.nanofleet.agent.testing.Mosquitto;
import io.nanofleet.agent.testing.Recorder;
import io.nanofleet.agent.testing.SkabData;
import io.nanofleet.agent.testing.TcpGate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker goes away for a real two minutes while a SKAB file replays (at 50 samples a second, so the
 * replay runs 50x faster than SKAB's 1 Hz); afterwards every summary and event arrives exactly once after
 * de-duplication by sequence, and in order.
 */
class OutageIT {
    @TempDir
    Path dir;

    @Test
    void twoMinuteBrokerOutageLosesNothingAndKeepsOrder() throws Exception {
        assumeTrue(Mosquitto.available(), "mosquitto not installed at " + Mosquitto.BINARY + " (apt-get install mosquitto)");
        assumeTrue(SkabData.available(), SkabData.missing());
        try (Mosquitto broker = new Mosquitto(Files.createDirectories(dir.resolve("broker")), "").start();
             TcpGate gate = new TcpGate(broker.port())) {
            Recorder recorder = new Recorder(broker.url(), "valve-1");
            // The agent reaches the broker through a gate, so that after the outage the test's recorder can
            // subscribe again before the agent is let back in.
            DeviceAgent agent = DeviceAgent.builder().deviceId("valve-1").broker("tcp://127.0.0.1:" + gate.port())
                    .sensor(new CsvReplaySensor(SkabData.valve1(1), true)).stateDir(dir.resolve("state"))
                    .sampleIntervalMs(20).telemetryIntervalMs(500).eventContextRows(16).reconnect(200, 2000).build();
            agent.start();
            assertTrue(agent.isConnected());
            Await.until(Duration.ofSeconds(60), "calibration and first summaries", () -> recorder.telemetry().size() >= 20);

            // Cut the device off first, give the broker a moment to hand the recorder everything it acknowledged,
            // then take the broker away for real.
            gate.open(false);
            Thread.sleep(1000);
            broker.stop();
            recorder.close();
            long queuedBefore = agent.lastQueuedIndex();
            long outageStart = System.nanoTime();
            // 120 s is the figure; -Dnanofleet.outage.seconds shortens it when debugging.
            Thread.sleep(Long.getLong("nanofleet.outage.seconds", 120) * 1000);
            assertFalse(agent.isConnected());
            long queuedDuringOutage = agent.lastQueuedIndex() - queuedBefore;
            assertTrue(agent.pendingMessages() >= queuedDuringOutage - 5,
                    "held while away: " + agent.pendingMessages() + " of " + queuedDuringOutage);
            assertTrue(queuedDuringOutage > Long.getLong("nanofleet.outage.seconds", 120), "2 summaries/s: " + queuedDuringOutage);
            broker.start();
            long outageSeconds = (System.nanoTime() - outageStart) / 1_000_000_000L;
            Recorder after = new Recorder(broker.url(), "valve-1", recorder);
            gate.open(true);

            Await.until(Duration.ofSeconds(90), "backlog drained", () -> agent.isConnected() && agent.pendingMessages() == 0,
                    () -> "pending " + agent.pendingMessages());
            agent.close();
            long last = agent.lastQueuedIndex();
            Await.until(Duration.ofSeconds(60), "all " + last + " messages at the recorder",
                    () -> after.firstArrivals().size() == last, () -> "got " + after.firstArrivals().size()
                            + "; broker log:\n" + broker.log());
            List<Long> expected = LongStream.rangeClosed(1, last).boxed().toList();
            assertEquals(expected, after.firstArrivals(), "every message once, in order");
            assertEquals(List.of(), after.conflicts());
            assertTrue(after.events().size() >= 1, "the SKAB anomalies produced events: " + after.events().size());
            System.out.printf("outage %d s: %d messages (%d queued during the outage, %d events), %d deliveries incl. redeliveries%n",
                    outageSeconds, last, queuedDuringOutage, after.events().size(), after.rawArrivals());
            after.close();
        }
    }
}
