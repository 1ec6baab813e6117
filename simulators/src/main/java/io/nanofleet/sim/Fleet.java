package io.nanofleet.sim;

import io.nanofleet.agent.DeviceAgent;
import io.nanofleet.agent.sensor.SimulatedSensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.IntConsumer;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * N real {@link DeviceAgent}s (the agent's own classes) in one JVM, sharing one small scheduler, each
 * with its own seeded simulated sensor.
 */
public final class Fleet implements AutoCloseable {
    /** How the fleet is made. */
    public record Spec(String brokerUri, int devices, String idPrefix, long sampleIntervalMs, long telemetryIntervalMs) {
        public Spec {
            if (devices < 1) {
                throw new IllegalArgumentException("a fleet needs at least 1 device, got " + devices);
            }
            if (idPrefix == null || idPrefix.isEmpty()) {
                throw new IllegalArgumentException("device id prefix must not be empty");
            }
        }

        public String deviceId(int index) {
            return idPrefix + String.format("%04d", index + 1);
        }
    }

    private final Spec spec;
    private final ScheduledExecutorService scheduler;
    private final List<DeviceAgent> agents = new ArrayList<>();

    public Fleet(Spec spec) {
        this.spec = spec;
        int threads = Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors()));
        this.scheduler = Executors.newScheduledThreadPool(threads, r -> {
            Thread t = new Thread(r, "sim-fleet");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts every agent; {@code progress} is told how many are up after each one. */
    public void start(IntConsumer progress) throws MqttException {
        for (int i = 0; i < spec.devices(); i++) {
            DeviceAgent agent = DeviceAgent.builder().deviceId(spec.deviceId(i)).broker(spec.brokerUri())
                    .hardwareId("sim").sensor(new SimulatedSensor(i)).scheduler(scheduler)
                    .sampleIntervalMs(spec.sampleIntervalMs()).telemetryIntervalMs(spec.telemetryIntervalMs()).build();
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
    }
}
