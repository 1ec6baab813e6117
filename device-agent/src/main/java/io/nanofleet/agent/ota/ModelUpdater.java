package io.nanofleet.agent.ota;

import io.nanofleet.agent.pipeline.EdgePipeline;
import io.nanofleet.anomaly.model.DetectorModelFile;
import io.nanofleet.intents.model.CommandModel;
import io.nanofleet.ota.install.InstallException;
import io.nanofleet.ota.install.InstalledModel;
import io.nanofleet.ota.install.SlotStore;
import io.nanofleet.ota.install.UpdateAgent;
import io.nanofleet.ota.install.UpdateResult;
import io.nanofleet.ota.install.UpdateState;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.PayloadException;
import io.nanofleet.protocols.v1.Assignment;
import io.nanofleet.protocols.v1.InstallProgress;
import io.nanofleet.ota.repo.TargetKind;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * Model updates for a running agent, on the ota module: an {@link Assignment} arrives on the device's ota
 * topic; {@link UpdateAgent#apply} refreshes the TUF metadata, checks the director's signature and the image
 * repository, downloads and verifies the model into the inactive slot and makes it active in trial mode.
 * The agent then runs the new model in <em>shadow</em>: a second pipeline on the same samples, calibrating
 * and scoring while the old model keeps producing the events. After {@code healthSamples} scored samples
 * (the caller decides the window) the shadow's anomaly rate is compared with the old model's over the same
 * samples; a healthy model is promoted without a restart and the slot confirmed, otherwise the slot is
 * rolled back. Every step is reported as an InstallProgress event with LwM2M Object 5 state and result.
 *
 * <p>Health rule: the new model may flag at most {@code max(2 x old rate, old rate + 1%)} of the window's
 * samples. A model that alarms much more than its predecessor on the same normal data is a bad release,
 * whatever its offline figures said.
 *
 * <p>Command models ({@code command-model} targets) take the same verified path into slots of their own
 * ({@link UpdateChannel#commandSlots}), so a command model's trial or rollback never touches the anomaly model's
 * slots and the reverse. The file must load as a {@link CommandModel} (a corrupt file or another kind of model is
 * an unusable model, result 8, rolled back); its shadow check is the {@link CommandProbe}: the candidate and the
 * running model answer the probe set shipped in the agent, and a candidate below the rule is rolled back. A
 * committed one replaces the model in the agent's {@link CommandModelHolder} at once; the anomaly detector is not
 * touched. The kind of an assignment is learnt from the director-signed assignment and the image repository
 * ({@link UpdateChannel#kindOf}), before anything is downloaded.
 */
public final class ModelUpdater {
    /** What this updater installs, each kind into its own slots: anomaly models and command models (not agent builds). */
    public static final Set<TargetKind> KINDS = Set.of(TargetKind.ANOMALY_MODEL, TargetKind.COMMAND_MODEL);
    private final ModelHost host;
    private final UpdateChannel updates;
    private final SlotStore slots;
    /** The command model's slots and holder; both null when this agent takes no command models. */
    private final SlotStore commandSlots;
    private final CommandModelHolder commandModel;
    private final CommandProbe probe;
    private final double commandProbeFloor;
    private final ExecutorService worker;
    private final long healthSamples;
    /** One install or judgement of this agent at a time (slots and the TUF client are single-threaded; the worker may not be). */
    private final Object installs = new Object();
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong rolledBack = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong commandCommitted = new AtomicLong();
    private final AtomicLong commandRolledBack = new AtomicLong();
    /** The anomaly model in its health window, until its judgement has been reported. */
    private volatile Trial trial;

    /** How an install ended: the result and message of its final report. */
    private record Outcome(UpdateResult result, String message) {}

    /** A model in its health window. */
    private static final class Trial {
        final String target;
        final EdgePipeline shadow;
        final long activeAnomaliesAtStart;
        final long activeScoredAtStart;
        final InstalledModel model;
        /** Set (on the sampling thread) once the window is over: no more samples, the judgement is queued. */
        volatile boolean done;

        Trial(String target, EdgePipeline shadow, EdgePipeline active, InstalledModel model) {
            this.target = target;
            this.shadow = shadow;
            this.model = model;
            this.activeAnomaliesAtStart = active == null ? 0 : active.anomalousSamples();
            this.activeScoredAtStart = active == null ? 0 : active.scoredSamples();
        }
    }

    /**
     * @param host          the running agent's side of model updates
     * @param updates       the agent's update plumbing (one for the life of the agent; every install uses it)
     * @param worker        runs installs and judgements one at a time
     * @param healthSamples scored samples the new model runs in shadow before it is judged
     */
    public ModelUpdater(ModelHost host, UpdateChannel updates, ExecutorService worker, long healthSamples) {
        this(host, updates, worker, healthSamples, CommandProbe.DEFAULT_FLOOR);
    }

    /**
     * As above, with the {@link CommandProbe} floor for command models: the fraction of the probe set's in-scope
     * commands a new command model must answer right. Command models are installed when the channel has command
     * slots and the host a command model holder.
     */
    public ModelUpdater(ModelHost host, UpdateChannel updates, ExecutorService worker, long healthSamples, double commandProbeFloor) {
        if (!(commandProbeFloor >= 0 && commandProbeFloor <= 1)) {
            throw new IllegalArgumentException("command probe floor must be in [0, 1], got " + commandProbeFloor);
        }
        this.host = host;
        this.updates = updates;
        this.slots = updates.slots();
        boolean commands = updates.commandSlots() != null && host.commandModel() != null;
        this.commandSlots = commands ? updates.commandSlots() : null;
        this.commandModel = commands ? host.commandModel() : null;
        this.probe = commands ? CommandProbe.shipped() : null;
        this.commandProbeFloor = commandProbeFloor;
        this.worker = worker;
        this.healthSamples = healthSamples;
    }

    /** Wires the updater into the agent: assignments from the ota topic, samples for the shadow. */
    public ModelUpdater attach() throws IOException {
        if (slots.inTrial()) {
            // We stopped in the middle of a health window: the model never proved itself.
            slots.rollback();
            rolledBack.incrementAndGet();
        }
        slots.active().ifPresent(m -> {
            try {
                load(host.activeDetector(), m);
                host.attribute("model.active", m.name());
            } catch (IOException | RuntimeException e) {
                host.attribute("model.error", "installed model unusable: " + e.getMessage());
            }
        });
        if (commandSlots != null) {
            if (commandSlots.inTrial()) {
                // Stopped during the probe check (or before its rollback was written): the candidate never proved itself.
                commandSlots.rollback();
                rolledBack.incrementAndGet();
                commandRolledBack.incrementAndGet();
            }
            // The installed command model wins over the configured or shipped one.
            commandSlots.active().ifPresent(m -> {
                try {
                    commandModel.use(CommandModel.read(m.payload()), m.name(), m.sha256(), m.releaseCounter());
                } catch (IOException | RuntimeException e) {
                    host.attribute("command_model.error", "installed command model unusable: " + e.getMessage());
                }
            });
        }
        host.onOta((topic, payload) -> onAssignment(payload));
        host.onSample(this::onSample);
        return this;
    }

    private static void load(EdgePipeline p, InstalledModel m) throws IOException {
        if (p == null) {
            throw new IOException("the detector is off");
        }
        DetectorModelFile.Loaded loaded = DetectorModelFile.read(m.payload());
        synchronized (p) {
            p.useModel(loaded.model(), m.sha256());
        }
    }

    void onAssignment(byte[] payload) {
        Assignment a;
        try {
            a = Codecs.ASSIGNMENT.decode(payload);
        } catch (PayloadException e) {
            refused.incrementAndGet();
            return;
        }
        worker.execute(() -> install(a));
    }

    private void install(Assignment a) {
        String target = a.getTargetName();
        synchronized (installs) {
            TargetKind kind = route(a); // refreshes the TUF client: under the lock like every other use of it
            SlotStore s = kind == null ? null : updates.slotsFor(kind);
            try {
                if (kind == null) {
                    refused.incrementAndGet();
                    progress(target, UpdateState.IDLE, UpdateResult.UNSUPPORTED_PACKAGE_TYPE,
                            "this device installs no models: the detector is off and it takes no command models");
                } else if (kind == TargetKind.COMMAND_MODEL) {
                    installCommandModel(target, a);
                } else {
                    installAnomalyModel(target, a);
                }
            } catch (RuntimeException e) {
                // Whatever broke, the fleet hears of it and the slots are not left in trial.
                if (s != null && s.inTrial() && (s != slots || trial == null)) {
                    report(target, rolledBack(s, "install failed: " + e));
                } else {
                    refused.incrementAndGet();
                    progress(target, UpdateState.IDLE, UpdateResult.UPDATE_FAILED, "install failed: " + e);
                }
            }
        }
    }

    /**
     * Which kind's install takes {@code a}: the signed kind of its target when this agent installs that kind;
     * otherwise (another kind, or the kind could not be learnt) the kind this agent installs by default, whose
     * install then refuses it with the real reason (result 6 for another kind, 5 for a bad signature, ...).
     * Null when this agent installs nothing.
     */
    private TargetKind route(Assignment a) {
        Optional<TargetKind> signed = updates.kindOf(a);
        if (signed.isPresent() && installs(signed.get())) {
            return signed.get();
        }
        if (installs(TargetKind.ANOMALY_MODEL)) {
            return TargetKind.ANOMALY_MODEL;
        }
        return installs(TargetKind.COMMAND_MODEL) ? TargetKind.COMMAND_MODEL : null;
    }

    private boolean installs(TargetKind kind) {
        return switch (kind) {
            case ANOMALY_MODEL -> host.activeDetector() != null;
            case COMMAND_MODEL -> commandSlots != null;
            default -> false;
        };
    }

    private void installAnomalyModel(String target, Assignment a) {
        if (trial != null) {
            progress(target, UpdateState.IDLE, UpdateResult.UPDATE_FAILED, "another update is in its health window");
            return;
        }
        if (slots.inTrial()) {
            // A trial no health window is judging (its rollback failed, e.g. on a full disk): abandon it now, so
            // that this assignment can be staged.
            try {
                slots.rollback();
                rolledBack.incrementAndGet();
            } catch (IOException e) {
                refused.incrementAndGet();
                progress(target, UpdateState.IDLE, UpdateResult.UPDATE_FAILED, "could not roll back the earlier trial model: "
                        + e.getMessage());
                return;
            }
        }
        InstalledModel m;
        try {
            m = updates.forInstall(TargetKind.ANOMALY_MODEL, listenerFor(target)).apply(a);
        } catch (InstallException e) {
            refused.incrementAndGet();
            progress(target, UpdateState.IDLE, e.result(), e.getMessage());
            return;
        }
        if (!m.trial()) {
            keepActive(target, m);
            return;
        }
        EdgePipeline shadow = host.newShadowPipeline(ev -> { });
        try {
            shadow.useModel(fitting(m).model(), m.sha256());
        } catch (IOException | RuntimeException e) {
            report(target, rolledBack(slots, "new model unusable: " + e.getMessage()));
            return;
        }
        progress(target, UpdateState.UPDATING, UpdateResult.INITIAL, "running in shadow for " + healthSamples + " samples");
        trial = new Trial(target, shadow, host.activeDetector(), m);
    }

    /** The model file of {@code m}, checked to be for this sensor's channels. */
    private DetectorModelFile.Loaded fitting(InstalledModel m) throws IOException {
        DetectorModelFile.Loaded loaded = DetectorModelFile.read(m.payload());
        if (!loaded.channels().equals(host.channels())) {
            throw new IOException("model channels " + loaded.channels() + " differ from the sensor's " + host.channels());
        }
        return loaded;
    }

    /** The assigned model is the confirmed one in the active slot (not downloaded again): make sure it runs. */
    private void keepActive(String target, InstalledModel m) {
        EdgePipeline p = host.activeDetector();
        if (p != null && m.sha256().equals(p.modelSha256())) {
            progress(target, UpdateState.IDLE, UpdateResult.SUCCESS, "already installed and running");
            return;
        }
        try {
            DetectorModelFile.Loaded loaded = fitting(m);
            if (p == null) {
                throw new IOException("the detector is off");
            }
            synchronized (p) {
                p.useModel(loaded.model(), m.sha256());
            }
            host.attribute("model.active", m.name());
            progress(target, UpdateState.IDLE, UpdateResult.SUCCESS, "already installed; now running");
        } catch (IOException | RuntimeException e) {
            refused.incrementAndGet();
            progress(target, UpdateState.IDLE, UpdateResult.UPDATE_FAILED, "installed model unusable: " + e.getMessage());
        }
    }

    /**
     * A command model: verified and staged by the update agent into the command slots, loaded, checked against the
     * probe set next to the running model, then confirmed and swapped in, or rolled back (the running model never
     * changed). Runs under {@link #installs}; the probe takes milliseconds, so there is no window to wait for.
     */
    private void installCommandModel(String target, Assignment a) {
        SlotStore s = commandSlots;
        if (s.inTrial()) {
            // A candidate whose rollback could not be written (e.g. a full disk): abandon it before staging another.
            try {
                s.rollback();
                rolledBack.incrementAndGet();
                commandRolledBack.incrementAndGet();
            } catch (IOException e) {
                refused.incrementAndGet();
                progress(target, UpdateState.IDLE, UpdateResult.UPDATE_FAILED, "could not roll back the earlier command model trial: "
                        + e.getMessage());
                return;
            }
        }
        InstalledModel m;
        try {
            m = updates.forInstall(TargetKind.COMMAND_MODEL, listenerFor(target)).apply(a);
        } catch (InstallException e) {
            refused.incrementAndGet();
            progress(target, UpdateState.IDLE, e.result(), e.getMessage());
            return;
        }
        if (!m.trial()) {
            keepCommandModelActive(target, m);
            return;
        }
        CommandModel candidate;
        try {
            candidate = CommandModel.read(m.payload());
        } catch (IOException | RuntimeException e) {
            report(target, rolledBack(s, "new command model unusable: " + e.getMessage()));
            return;
        }
        progress(target, UpdateState.UPDATING, UpdateResult.INITIAL, "checking the command model on the probe set");
        CommandProbe.Verdict v;
        try {
            v = probe.judge(candidate, commandModel.get(), commandProbeFloor);
        } catch (RuntimeException e) {
            report(target, rolledBack(s, "new command model failed on the probe set: " + e));
            return;
        }
        if (!v.passed()) {
            report(target, rolledBack(s, "rolled back: " + v.reason()));
            return;
        }
        try {
            s.confirm();
        } catch (IOException e) {
            report(target, rolledBack(s, "could not confirm the command model slot: " + e.getMessage()));
            return;
        }
        commandModel.use(candidate, m.name(), m.sha256(), m.releaseCounter());
        committed.incrementAndGet();
        commandCommitted.incrementAndGet();
        progress(target, UpdateState.IDLE, UpdateResult.SUCCESS, "command model committed: " + v.reason());
    }

    /** The assigned command model is the confirmed one in the active slot (not downloaded again): make sure it answers. */
    private void keepCommandModelActive(String target, InstalledModel m) {
        if (m.sha256().equals(commandModel.sha256())) {
            progress(target, UpdateState.IDLE, UpdateResult.SUCCESS, "already installed and running");
            return;
        }
        try {
            commandModel.use(CommandModel.read(m.payload()), m.name(), m.sha256(), m.releaseCounter());
            progress(target, UpdateState.IDLE, UpdateResult.SUCCESS, "already installed; now running");
        } catch (IOException | RuntimeException e) {
            refused.incrementAndGet();
            progress(target, UpdateState.IDLE, UpdateResult.UPDATE_FAILED, "installed command model unusable: " + e.getMessage());
        }
    }

    private void onSample(long ts, double[] values) {
        Trial t = trial;
        if (t == null || t.done) {
            return;
        }
        try {
            t.shadow.accept(ts, values);
        } catch (RuntimeException e) {
            t.done = true;
            worker.execute(() -> end(t, () -> rolledBack(slots, "new model failed in shadow: " + e)));
            return;
        }
        if (t.shadow.phase() == EdgePipeline.Phase.SCORING && t.shadow.scoredSamples() >= healthSamples) {
            t.done = true;
            worker.execute(() -> end(t, () -> {
                try {
                    return decide(t);
                } catch (RuntimeException e) {
                    return rolledBack(slots, "judging the new model failed: " + e);
                }
            }));
        }
    }

    /** Ends trial {@code t} with what {@code decision} did, and reports it (the trial is over before the report). */
    private void end(Trial t, java.util.function.Supplier<Outcome> decision) {
        synchronized (installs) {
            Outcome o = decision.get();
            if (trial == t) {
                trial = null;
            }
            report(t.target, o);
        }
    }

    private Outcome decide(Trial t) {
        EdgePipeline active = host.activeDetector();
        long oldScored = active == null ? 0 : Math.max(0, active.scoredSamples() - t.activeScoredAtStart);
        long oldAnomalies = active == null ? 0 : Math.max(0, active.anomalousSamples() - t.activeAnomaliesAtStart);
        long window = t.shadow.scoredSamples();
        double oldRate = rate(oldAnomalies, oldScored);
        double newRate = rate(t.shadow.anomalousSamples(), window);
        double allowed = allowedRate(oldRate);
        if (healthy(oldAnomalies, oldScored, t.shadow.anomalousSamples(), window)) {
            try {
                slots.confirm();
            } catch (IOException e) {
                return rolledBack(slots, "could not confirm the slot: " + e.getMessage());
            }
            host.promote(t.shadow);
            host.attribute("model.active", t.model.name());
            committed.incrementAndGet();
            return new Outcome(UpdateResult.SUCCESS, String.format(java.util.Locale.ROOT,
                    "committed after %d samples in shadow: anomaly rate %.4f (old model %.4f)", (long) window, newRate, oldRate));
        }
        return rolledBack(slots, String.format(java.util.Locale.ROOT,
                "rolled back: anomaly rate %.4f in shadow, old model %.4f, allowed %.4f", newRate, oldRate, allowed));
    }

    static double rate(long anomalous, long scored) {
        return scored <= 0 ? 0 : (double) anomalous / scored;
    }

    /** The health rule: at most twice the old model's anomaly rate, and never less than one point above it. */
    static double allowedRate(double oldRate) {
        return Math.max(2 * oldRate, oldRate + 0.01);
    }

    /** Whether a shadow with {@code newAnomalies} of {@code newScored} passes against the old model's figures. */
    static boolean healthy(long oldAnomalies, long oldScored, long newAnomalies, long newScored) {
        return newScored > 0 && rate(newAnomalies, newScored) <= allowedRate(rate(oldAnomalies, oldScored));
    }

    /** Rolls {@code s} back and says how that ended the install (reported by the caller). */
    private Outcome rolledBack(SlotStore s, String why) {
        try {
            // Back to the previous model; without one, to what ran before the update (the candidate never replaced it).
            s.rollback();
        } catch (IOException | RuntimeException e) {
            why += "; rollback failed: " + e.getMessage();
        }
        rolledBack.incrementAndGet();
        if (s == commandSlots) {
            commandRolledBack.incrementAndGet();
        }
        return new Outcome(UpdateResult.UPDATE_FAILED, why);
    }

    private void report(String target, Outcome o) {
        progress(target, UpdateState.IDLE, o.result(), o.message());
    }

    /**
     * The listener for the ota update agent installing {@code target}. Its final "Idle, Success" means
     * "installed in the trial slot"; for the fleet that is still Updating until the health window decides,
     * so it is reported as such and the decision ends the update.
     */
    private BiConsumer<UpdateState, UpdateResult> listenerFor(String target) {
        return (state, result) -> {
            if (state == UpdateState.IDLE && result == UpdateResult.SUCCESS) {
                progress(target, UpdateState.UPDATING, UpdateResult.INITIAL, "installed in the trial slot");
            } else if (state != UpdateState.IDLE) {
                progress(target, state, result, "");
            }
            // Failures reach install() as an InstallException and are reported there, once.
        };
    }

    /** Reports one step as an InstallProgress event. */
    public void progress(String target, UpdateState state, UpdateResult result, String message) {
        host.publishInstallProgress(InstallProgress.newBuilder().setTargetName(target)
                .setState(InstallProgress.State.forNumber(state.code)).setResult(result.code)
                .setMessage(message == null ? "" : message).build());
    }

    public boolean inTrial() {
        return trial != null;
    }

    public long committed() {
        return committed.get();
    }

    public long rolledBack() {
        return rolledBack.get();
    }

    public long refused() {
        return refused.get();
    }

    /** Command models committed (also counted in {@link #committed}). */
    public long commandModelsCommitted() {
        return commandCommitted.get();
    }

    /** Command model candidates rolled back (also counted in {@link #rolledBack}). */
    public long commandModelsRolledBack() {
        return commandRolledBack.get();
    }

    /** Whether this updater installs command models (the channel has command slots and the host a holder). */
    public boolean takesCommandModels() {
        return commandSlots != null;
    }
}
