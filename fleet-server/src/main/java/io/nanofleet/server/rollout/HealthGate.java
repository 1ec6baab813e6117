package io.nanofleet.server.rollout;

import io.vertx.core.json.JsonObject;

/**
 * The post-install health rule, applied to a wave's devices as a whole: after the install, compared
 * with the same devices before it. A wave fails when any of:
 * anomaly rate (events per device-minute) rises above {@code before * anomalyRateFactor + anomalyRateSlack};
 * mean inference latency rises by more than {@code latencyIncreasePct} percent (when both windows have samples);
 * more than {@code maxRestarts} restarts across the wave during the observation window.
 */
public record HealthGate(double anomalyRateFactor, double anomalyRateSlack, double latencyIncreasePct, long maxRestarts) {
    public static final HealthGate DEFAULT = new HealthGate(2.0, 1.0, 50.0, 0);

    public HealthGate {
        if (anomalyRateFactor < 1 || anomalyRateSlack < 0 || latencyIncreasePct < 0 || maxRestarts < 0) {
            throw new IllegalArgumentException("health thresholds: anomalyRateFactor >= 1, anomalyRateSlack >= 0, "
                    + "latencyIncreasePct >= 0, maxRestarts >= 0");
        }
    }

    static HealthGate fromJson(JsonObject o) {
        if (o == null) {
            return DEFAULT;
        }
        return new HealthGate(o.getDouble("anomalyRateFactor", DEFAULT.anomalyRateFactor),
                o.getDouble("anomalyRateSlack", DEFAULT.anomalyRateSlack),
                o.getDouble("latencyIncreasePct", DEFAULT.latencyIncreasePct),
                o.getLong("maxRestarts", DEFAULT.maxRestarts));
    }

    JsonObject toJson() {
        return new JsonObject().put("anomalyRateFactor", anomalyRateFactor).put("anomalyRateSlack", anomalyRateSlack)
                .put("latencyIncreasePct", latencyIncreasePct).put("maxRestarts", maxRestarts);
    }

    static double ratePerDeviceMinute(FleetSignals.Health h, int devices, long windowMs) {
        return windowMs <= 0 || devices == 0 ? 0 : h.anomalies() / (devices * (windowMs / 60_000.0));
    }

    /** Null when healthy, else the reason. */
    String verdict(FleetSignals.Health before, long beforeMs, FleetSignals.Health after, long afterMs, int devices) {
        double rb = ratePerDeviceMinute(before, devices, beforeMs);
        double ra = ratePerDeviceMinute(after, devices, afterMs);
        if (ra > rb * anomalyRateFactor + anomalyRateSlack) {
            return String.format(java.util.Locale.ROOT, "anomaly rate %.1f/device-min after vs %.1f before (limit %.1f)",
                    ra, rb, rb * anomalyRateFactor + anomalyRateSlack);
        }
        if (before.latencySamples() > 0 && after.latencySamples() > 0) {
            double lb = before.latencySumUs() / before.latencySamples();
            double la = after.latencySumUs() / after.latencySamples();
            if (la > lb * (1 + latencyIncreasePct / 100)) {
                return String.format(java.util.Locale.ROOT, "inference latency %.0f us after vs %.0f us before (limit +%.0f%%)",
                        la, lb, latencyIncreasePct);
            }
        }
        if (after.restarts() > maxRestarts) {
            return after.restarts() + " restarts during observation (limit " + maxRestarts + ")";
        }
        return null;
    }
}
