package io.nanofleet.server.rollout;

import java.util.Optional;

/**
 * What the rollout engine reads from the fleet (its only input), kept narrow so the engine does not
 * care whether signals come from MQTT, CoAP or a test.
 */
public interface FleetSignals {
    enum InstallStatus { PENDING, SUCCEEDED, FAILED }

    /** The device's latest report about installing {@code target} since {@code sinceMs}. */
    InstallStatus install(String deviceId, String target, long sinceMs);

    /** Detail of a failed install (LwM2M result code and message), for the audit trail. */
    String installDetail(String deviceId, String target);

    /** Health of one device over [fromMs, toMs). */
    Health health(String deviceId, long fromMs, long toMs);

    /** The anomaly model the device last said it runs. */
    Optional<String> currentModel(String deviceId);

    /**
     * The model of target kind {@code kind} ({@code anomaly-model}, {@code command-model}) the device last said it
     * runs, by its repository name: what a rollout of a model of that kind rolls the device back to.
     */
    default Optional<String> currentModel(String deviceId, String kind) {
        return "anomaly-model".equals(kind) ? currentModel(deviceId) : Optional.empty();
    }

    /**
     * One device's health over a window.
     *
     * @param anomalies anomaly events received in the window
     * @param latencySumUs sum of reported inference latencies, with {@code latencySamples} samples
     * @param restarts restarts counted by the device during the window
     */
    record Health(long anomalies, double latencySumUs, long latencySamples, long restarts) {
        public static final Health NONE = new Health(0, 0, 0, 0);

        public Health plus(Health o) {
            return new Health(anomalies + o.anomalies, latencySumUs + o.latencySumUs, latencySamples + o.latencySamples,
                    restarts + o.restarts);
        }
    }
}
