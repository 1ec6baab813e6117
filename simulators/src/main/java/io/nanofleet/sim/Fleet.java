package io.nanofleet.sim;

import io.nanofleet.protocols.DaemonThreads;
import io.nanofleet.agent.DeviceAgent;
import io.nanofleet.agent.DeviceAgentBuilder;
import io.nanofleet.agent.ota.UpdateChannel;
import io.nanofleet.agent.sensor.SimulatedSensor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.IntConsumer;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * N real {@link DeviceAgent}s (the agent's own classes) in one JVM, sharing one small scheduler, each
 * with its own seeded simulated sensor. With {@link Spec#updates} every agent also runs the agent's own
 * {@code ModelUpdater} against the fleet server's update channel, exactly as an enrolled device does.
 */
public final class Fleet implements AutoCloseable {
    /** The hardware id every simulated device reports (a model for them is uploaded with {@code hardwareId=sim}). */
    public static final String HARDWARE_ID = "sim";

    /** How the fleet is made; {@code updates} null = no model updates. */
    public record Spec(String brokerUri, int devices, String idPrefix, long sampleIntervalMs, long telemetryIntervalMs,
                       Updates updates) {
        public Spec {
            if (devices < 1) {
                throw new IllegalArgumentException("a fleet needs at least 1 device, got " + devices);
            }
            if (idPrefix == null || idPrefix.isEmpty()) {
                throw new IllegalArgumentException("device id prefix must not be empty");
            }
        }

        public Spec(String brokerUri, int devices, String idPrefix, long sampleIntervalMs, long telemetryIntervalMs) {
            this(brokerUri, devices, idPrefix, sampleIntervalMs, telemetryIntervalMs, null);
        }

        /** This fleet, with every device installing models through {@code updates}. */
        public Spec withUpdates(Updates updates) {
            return new Spec(brokerUri, devices, idPrefix, sampleIntervalMs, telemetryIntervalMs, updates);
        }

        public String deviceId(int index) {
            return idPrefix + String.format("%04d", index + 1);
        }
    }

    /**
     * Where simulated devices get models: the fleet server's base URL (TUF metadata under {@code /api/v1/tuf/},
     * targets under {@code /api/v1/targets/}), the TUF root they trust (the server's {@code 1.root.json}, see
     * {@link #fetchRoot}), a folder holding one sub-folder per device (its metadata and A/B model slots), and the
     * scored samples a new model runs in shadow before it is committed.
     */
    public record Updates(String serverUrl, byte[] trustedRoot, Path stateDir, long healthSamples) {
        public static final long DEFAULT_HEALTH_SAMPLES = 200;

        public Updates {
            Objects.requireNonNull(serverUrl, "serverUrl");
            Objects.requireNonNull(trustedRoot, "trustedRoot");
            Objects.requireNonNull(stateDir, "stateDir");
        }

        public Updates(String serverUrl, byte[] trustedRoot, Path stateDir) {
            this(serverUrl, trustedRoot, stateDir, DEFAULT_HEALTH_SAMPLES);
        }

        /**
         * The server's first root ({@code GET /api/v1/tuf/1.root.json}). Trusting what the server says on first
         * contact is only for a demo on one machine; a real device gets its root from enrollment.
         */
        public static byte[] fetchRoot(String serverUrl) throws IOException, InterruptedException {
            HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(serverUrl + "/api/v1/tuf/1.root.json"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IOException("GET " + serverUrl + "/api/v1/tuf/1.root.json answered " + r.statusCode());
            }
            return r.body();
        }
    }

    private final Spec spec;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService installs;
    private final List<DeviceAgent> agents = new ArrayList<>();

    public Fleet(Spec spec) {
        this.spec = spec;
        int threads = Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors()));
        this.scheduler = Executors.newScheduledThreadPool(threads, DaemonThreads.numbered("sim-fleet"));
        this.installs = spec.updates() == null ? null : Executors.newFixedThreadPool(2, DaemonThreads.numbered("sim-fleet-updates"));
    }

    /** Starts every agent; {@code progress} is told how many are up after each one. */
    public void start(IntConsumer progress) throws MqttException, IOException {
        for (int i = 0; i < spec.devices(); i++) {
            String id = spec.deviceId(i);
            DeviceAgentBuilder b = DeviceAgent.builder().deviceId(id).broker(spec.brokerUri())
                    .hardwareId(HARDWARE_ID).sensor(new SimulatedSensor(i)).scheduler(scheduler)
                    .sampleIntervalMs(spec.sampleIntervalMs()).telemetryIntervalMs(spec.telemetryIntervalMs());
            Updates u = spec.updates();
            if (u != null) {
                Path home = u.stateDir().resolve(id);
                UpdateChannel.initialize(home, u.trustedRoot());
                b.updates(UpdateChannel.overHttp(u.serverUrl(), home, id, HARDWARE_ID), u.healthSamples()).updateWorker(installs);
            }
            DeviceAgent agent = b.build();
            agent.start();
            agents.add(agent);
            progress.accept(agents.size());
        }
    }

    public List<DeviceAgent> agents() {
        return Collections.unmodifiableList(agents);
    }

    public long connectedCount() {
        return agents.stream().filter(DeviceAgent::isConnected).count();
    }

    @Override
    public void close() {
        agents.parallelStream().forEach(DeviceAgent::close);
        scheduler.shutdownNow();
        if (installs != null) {
            installs.shutdownNow();
        }
    }
}
