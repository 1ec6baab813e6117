package io.nanofleet.agent.sensor;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A deterministic pump-like signal per channel: a slow sine around a per-channel base value plus seeded
 * noise. Same seed, same samples, so simulated fleets are reproducible.
 */
public final class SimulatedSensor implements SensorSource {
    public static final List<String> DEFAULT_CHANNELS =
            List.of("Accelerometer1RMS", "Current", "Pressure", "Temperature");
    private static final double[] BASE = {0.026, 2.0, 0.3, 70.0};
    private static final double[] AMPLITUDE = {0.002, 0.25, 0.05, 1.5};

    private final List<String> channels;
    private final SplittableRandom random;
    private final double phase;
    private long tick;

    public SimulatedSensor(long seed) {
        this(DEFAULT_CHANNELS, seed);
    }

    public SimulatedSensor(List<String> channels, long seed) {
        if (channels.isEmpty()) {
            throw new IllegalArgumentException("a sensor needs at least one channel");
        }
        this.channels = List.copyOf(channels);
        this.random = new SplittableRandom(seed);
        this.phase = random.nextDouble() * Math.PI * 2;
    }

    @Override
    public List<String> channels() {
        return channels;
    }

    @Override
    public void read(double[] out) {
        double t = tick++ / 60.0;
        for (int c = 0; c < out.length; c++) {
            double base = BASE[c % BASE.length];
            double amp = AMPLITUDE[c % AMPLITUDE.length];
            out[c] = base + amp * Math.sin(t + phase + c) + amp * 0.1 * (random.nextDouble() * 2 - 1);
        }
    }
}
