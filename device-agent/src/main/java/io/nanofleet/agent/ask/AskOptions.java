package io.nanofleet.agent.ask;

import io.nanofleet.agent.config.Setting;
import io.nanofleet.agent.config.Settings;
import io.nanofleet.agent.sensor.ModbusWriter;
import io.nanofleet.intents.model.CommandModel;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How an agent answers questions: the command model, the checked {@link Bindings}, where the operator socket is
 * (none: only the fleet's {@code ask} command), how long a question handed to the fleet may wait for its answer,
 * how long a confirmation is good for, and how many questions may wait at once.
 */
public final class AskOptions {
    /** The longest mute an operator may ask for. */
    public static final long MAX_MUTE_SECONDS = 86_400;
    /** The summary interval's bounds: those of {@code telemetry.interval-ms}. */
    public static final long MIN_INTERVAL_MS;
    public static final long MAX_INTERVAL_MS;

    static {
        Setting s = Settings.get(Settings.TELEMETRY_INTERVAL);
        MIN_INTERVAL_MS = s.min();
        MAX_INTERVAL_MS = s.max();
    }

    private final CommandModel model;
    private Bindings bindings;
    private Path socket;
    private long offloadExpiryMs = 3_600_000;
    private long confirmWindowMs = 60_000;
    private int maxPending = 100;
    private long defaultMuteSeconds = 900;
    private ModbusWriter modbus;

    private AskOptions(CommandModel model) {
        this.model = Objects.requireNonNull(model, "model");
        this.bindings = Bindings.defaultsFor(model.localIntents());
    }

    /** The built-in bindings on {@code model}, no socket, and the defaults of the {@code ask.*} settings. */
    public static AskOptions of(CommandModel model) {
        return new AskOptions(model);
    }

    public AskOptions bindings(Bindings b) {
        this.bindings = Objects.requireNonNull(b);
        return this;
    }

    /** The Unix domain socket the operator's {@code nanofleet-agent ask} talks to; null: none. */
    public AskOptions socket(Path path) {
        this.socket = path;
        return this;
    }

    public AskOptions offloadExpiryMs(long ms) {
        this.offloadExpiryMs = positive(ms);
        return this;
    }

    public AskOptions confirmWindowMs(long ms) {
        this.confirmWindowMs = positive(ms);
        return this;
    }

    public AskOptions maxPending(int n) {
        this.maxPending = (int) positive(n);
        return this;
    }

    /** How long "mute alarms" without a duration mutes. */
    public AskOptions defaultMuteSeconds(long s) {
        this.defaultMuteSeconds = positive(s);
        return this;
    }

    /** Where bound coil and register writes go (the Modbus sensor's connection); null: none. */
    public AskOptions modbus(ModbusWriter writer) {
        this.modbus = writer;
        return this;
    }

    public ModbusWriter modbus() {
        return modbus;
    }

    private static long positive(long v) {
        if (v <= 0) {
            throw new IllegalArgumentException("must be > 0, got " + v);
        }
        return v;
    }

    public CommandModel model() {
        return model;
    }

    public Bindings bindings() {
        return bindings;
    }

    public Path socket() {
        return socket;
    }

    public long offloadExpiryMs() {
        return offloadExpiryMs;
    }

    public long confirmWindowMs() {
        return confirmWindowMs;
    }

    public int maxPending() {
        return maxPending;
    }

    public long defaultMuteSeconds() {
        return defaultMuteSeconds;
    }
}
