package io.nanofleet.agent.ask;

import io.nanofleet.agent.command.CommandTarget;
import io.nanofleet.agent.sensor.ModbusWriter;
import io.nanofleet.agent.telemetry.AnomalyLog;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.PayloadException;
import io.nanofleet.protocols.v1.Query;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/** Stand-ins for the agent's parts in the ask service's unit tests (the ITs use the real ones). */
public final class Fakes {
    private Fakes() {}

    public static final class Target implements CommandTarget {
        final LongSupplier clock;
        volatile boolean connected = true;
        public volatile boolean canRestart = true;
        volatile int recalibrations;
        volatile long telemetryMs;
        volatile long mutedUntil;
        public volatile int restarts;
        final List<AnomalyLog.Entry> anomalies = new ArrayList<>();

        public Target(LongSupplier clock) {
            this.clock = clock;
        }

        @Override
        public long now() {
            return clock.getAsLong();
        }

        @Override
        public long bootTimeMs() {
            return clock.getAsLong() - 3_720_000;
        }

        @Override
        public void streamRawUntil(long untilMs) {}

        @Override
        public long maxRawMs() {
            return 600_000;
        }

        @Override
        public void sampleIntervalMs(long ms) {}

        @Override
        public void telemetryIntervalMs(long ms) {
            telemetryMs = ms;
        }

        @Override
        public boolean recalibrate() {
            recalibrations++;
            return true;
        }

        @Override
        public void thresholdFactor(double factor) {}

        @Override
        public int probeSensor() {
            return 4;
        }

        @Override
        public boolean connected() {
            return connected;
        }

        @Override
        public long pendingMessages() {
            return 3;
        }

        @Override
        public String detectorPhase() {
            return "scoring";
        }

        @Override
        public boolean canRestart() {
            return canRestart;
        }

        @Override
        public void restartSoon() {
            restarts++;
        }

        @Override
        public void muteAlarmsUntil(long untilMs) {
            mutedUntil = untilMs;
        }

        @Override
        public long alarmsMutedUntilMs() {
            return mutedUntil;
        }

        @Override
        public List<AnomalyLog.Entry> lastAnomalies(int max) {
            return anomalies.subList(0, Math.min(max, anomalies.size()));
        }
    }

    /** One request the service published. */
    record Sent(String topic, Query query, String responseTopic, byte[] correlation) {}

    public static final class Link implements AskService.Link {
        volatile boolean connected = true;
        volatile boolean carries = true;
        public final List<Sent> sent = new CopyOnWriteArrayList<>();

        @Override
        public boolean isConnected() {
            return connected;
        }

        @Override
        public boolean carriesRequests() {
            return carries;
        }

        @Override
        public CompletableFuture<Void> request(String topic, byte[] payload, String responseTopic, byte[] correlationData) {
            if (!connected) {
                return CompletableFuture.failedFuture(new IOException("not connected"));
            }
            try {
                sent.add(new Sent(topic, Codecs.QUERY.decode(payload), responseTopic, correlationData));
            } catch (PayloadException e) {
                return CompletableFuture.failedFuture(e);
            }
            return CompletableFuture.completedFuture(null);
        }
    }

    public static final class Modbus implements ModbusWriter {
        final List<String> writes = new CopyOnWriteArrayList<>();
        volatile IOException failure;

        @Override
        public void writeCoil(int address, boolean on) throws IOException {
            if (failure != null) {
                throw failure;
            }
            writes.add("coil " + address + "=" + on);
        }

        @Override
        public void writeRegister(int address, int value) throws IOException {
            if (failure != null) {
                throw failure;
            }
            writes.add("register " + address + "=" + value);
        }

        @Override
        public String describe() {
            return "plc:502 unit 1";
        }
    }
}
