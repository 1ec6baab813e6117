package io.nanofleet.agent.ota;

import io.nanofleet.agent.pipeline.EdgePipeline;
import io.nanofleet.agent.telemetry.TelemetryLoop;
import io.nanofleet.protocols.v1.AnomalyEvent;
import io.nanofleet.protocols.v1.InstallProgress;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What a running agent offers its {@link ModelUpdater}: the detector it may replace, the command model it may
 * replace, the samples a shadow runs on, the state attributes and the events it reports with. Listeners are called on the agent's threads
 * (ota messages on the transport's, samples on the sampling thread) and must return quickly.
 */
public interface ModelHost {
    /** The sensor's channel names; a model for other channels does not fit. */
    List<String> channels();

    /** The running detector pipeline, or null when the detector is off. */
    EdgePipeline activeDetector();

    /** A pipeline configured like the running one, its events going to {@code sink} (for a shadow run). */
    EdgePipeline newShadowPipeline(Consumer<AnomalyEvent> sink);

    /** Makes {@code next} the running pipeline (a shadow that proved healthy); its events are published from now on. */
    void promote(EdgePipeline next);

    /**
     * The command model the agent answers operators with, which a committed {@code command-model} update replaces;
     * null when this host takes no command models (then such targets are refused, result 6).
     */
    default CommandModelHolder commandModel() {
        return null;
    }

    /** Sets an attribute of the published state ({@code model.active} names the running model). */
    void attribute(String key, String value);

    /** Queues an install-progress event for the fleet. */
    void publishInstallProgress(InstallProgress progress);

    /** Sees every sample after the running detector (one listener; a later call replaces it). */
    void onSample(TelemetryLoop.SampleListener listener);

    /** Receives the update assignments arriving on {@code nf/v1/d/{id}/ota} (one listener). */
    void onOta(BiConsumer<String, byte[]> listener);
}
