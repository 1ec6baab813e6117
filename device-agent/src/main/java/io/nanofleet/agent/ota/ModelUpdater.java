package io.nanofleet.agent.ota;

import io.nanofleet.agent.pipeline.EdgePipeline;
import io.nanofleet.anomaly.model.DetectorModelFile;
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
 */
public final class ModelUpdater {
    /** What this updater installs: models for the anomaly detector, nothing else (agent builds, command models). */
    public static final Set<TargetKind> KINDS = Set.of(TargetKind.ANOMALY_MODEL);
    private final ModelHost host;
    private final UpdateChannel updates;
    private final SlotStore slots;
    private final ExecutorService worker;
    private final long healthSamples;
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong rolledBack = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile Trial trial;

    /** A model in its health window. */
    private static final class Trial {
        final String target;
        final EdgePipeline shadow;
        final long activeAnomaliesAtStart;
        final long activeScoredAtStart;
        final InstalledModel model;
        long anomaliesOld;
        long scoredOld;

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
        this.host = host;
        this.updates = updates;
        this.slots = updates.slots();
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
        if (trial != null) {
            progress(a.getTargetName(), UpdateState.IDLE, UpdateResult.UPDATE_FAILED, "another update is in its health window");
            return;
        }
        worker.execute(() -> install(a));
    }

    private void install(Assignment a) {
        String target = a.getTargetName();
        try {
            tryInstall(target, a);
        } catch (RuntimeException e) {
            // Whatever broke, the fleet hears of it and the slots are not left in trial.
            if (trial == null && slots.inTrial()) {
                rollback(target, "install failed: " + e);
            } else {
                refused.incrementAndGet();
                progress(target, UpdateState.IDLE, UpdateResult.UPDATE_FAILED, "install failed: " + e);
            }
        }
    }

    private void tryInstall(String target, Assignment a) {
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
            m = updates.forInstall(KINDS, listenerFor(target)).apply(a);
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
            rollback(target, "new model unusable: " + e.getMessage());
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

    private void onSample(long ts, double[] values) {
        Trial t = trial;
        if (t == null) {
            return;
        }
        try {
            t.shadow.accept(ts, values);
        } catch (RuntimeException e) {
            trial = null;
            worker.execute(() -> rollback(t.target, "new model failed in shadow: " + e));
            return;
        }
        if (t.shadow.phase() == EdgePipeline.Phase.SCORING && t.shadow.scoredSamples() >= healthSamples) {
            trial = null;
            worker.execute(() -> judge(t));
        }
    }

    private void judge(Trial t) {
        try {
            decide(t);
        } catch (RuntimeException e) {
            rollback(t.target, "judging the new model failed: " + e);
        }
    }

    private void decide(Trial t) {
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
                rollback(t.target, "could not confirm the slot: " + e.getMessage());
                return;
            }
            host.promote(t.shadow);
            host.attribute("model.active", t.model.name());
            committed.incrementAndGet();
            progress(t.target, UpdateState.IDLE, UpdateResult.SUCCESS, String.format(java.util.Locale.ROOT,
                    "committed after %d samples in shadow: anomaly rate %.4f (old model %.4f)", (long) window, newRate, oldRate));
        } else {
            rollback(t.target, String.format(java.util.Locale.ROOT,
                    "rolled back: anomaly rate %.4f in shadow, old model %.4f, allowed %.4f", newRate, oldRate, allowed));
        }
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

    private void rollback(String target, String why) {
        try {
            // Back to the previous model; without one, to what ran before the update (the shadow never replaced it).
            slots.rollback();
        } catch (IOException | RuntimeException e) {
            why += "; rollback failed: " + e.getMessage();
        }
        rolledBack.incrementAndGet();
        progress(target, UpdateState.IDLE, UpdateResult.UPDATE_FAILED, why);
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
}
