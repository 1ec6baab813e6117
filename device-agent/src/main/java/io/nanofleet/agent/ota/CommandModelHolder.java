package io.nanofleet.agent.ota;

import io.nanofleet.intents.model.CommandModel;
import io.nanofleet.protocols.v1.ModelInfo;
import io.nanofleet.runtime.ModelFile;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The command model the agent answers operators' text with, as one swappable reference: the shipped model
 * ({@link CommandModel#bundled()}) until one is configured or installed over the air, then the one the
 * {@link ModelUpdater} committed (after a restart, the installed slot's model, which wins over the configured
 * one). Readers call {@link #get()} for each utterance (or request) and run it with a predictor of their own
 * ({@code get().predictor()}: predictors are per thread, the model is immutable and thread-safe); a swap is
 * seen by the next {@code get()}, never in the middle of a prediction.
 *
 * <p>The shipped model is read from the classpath once per JVM and shared (a simulator runs thousands of
 * agents), and only when first needed.
 */
public final class CommandModelHolder implements Supplier<CommandModel> {
    /** What runs, and where it came from (name "" unless it was installed over the air). */
    private record Current(CommandModel model, String name, String sha256, long releaseCounter) {}

    private volatile Current current;
    private final java.util.List<java.util.function.Consumer<CommandModel>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Starts with the shipped model. */
    public CommandModelHolder() {
    }

    /** Starts with a configured model (not from the update channel: it has no repository name). */
    public CommandModelHolder(CommandModel configured, String sha256) {
        this.current = new Current(Objects.requireNonNull(configured, "configured"), "", Objects.requireNonNull(sha256), 0);
    }

    /** The model to answer with now. */
    @Override
    public CommandModel get() {
        return current().model();
    }

    /** The running model's repository name once installed over the air, else "". */
    public String name() {
        return current().name();
    }

    /** SHA-256 (hex) of the running model's file. */
    public String sha256() {
        return current().sha256();
    }

    /** For the retained state's {@code command_model}. */
    public ModelInfo info() {
        Current c = current();
        return ModelInfo.newBuilder().setName(c.name()).setSha256(c.sha256()).setReleaseCounter(Math.max(0, c.releaseCounter())).build();
    }

    /** Makes {@code model} (installed over the air as {@code name}) the one every later {@link #get()} returns. */
    void use(CommandModel model, String name, String sha256, long releaseCounter) {
        current = new Current(Objects.requireNonNull(model), name, sha256, releaseCounter);
        for (java.util.function.Consumer<CommandModel> l : listeners) {
            l.accept(model);
        }
    }

    /**
     * Calls {@code listener} with every model made current from now on (a committed update, or the installed
     * slot at start-up), for parts that keep their own predictor (the ask service).
     */
    public void onChange(java.util.function.Consumer<CommandModel> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    private Current current() {
        Current c = current;
        if (c == null) {
            synchronized (this) {
                if (current == null) {
                    current = Bundled.CURRENT;
                }
                c = current;
            }
        }
        return c;
    }

    /** The shipped model (CommandModel.bundled(), read once per JVM) and its file's hash. */
    private static final class Bundled {
        static final Current CURRENT = new Current(CommandModel.bundled(), "", ModelFile.sha256Hex(CommandModel.bundled().toBytes()), 0);
    }
}
