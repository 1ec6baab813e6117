package io.nanofleet.agent;

import io.nanofleet.agent.ota.CommandModelHolder;
import io.nanofleet.agent.ota.ModelHost;
import io.nanofleet.agent.pipeline.EdgePipeline;
import io.nanofleet.agent.queue.OutboxWriter;
import io.nanofleet.agent.telemetry.TelemetryLoop;
import io.nanofleet.anomaly.detect.DetectorConfig;
import io.nanofleet.protocols.v1.AnomalyEvent;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.InstallProgress;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** The agent's parts as the model updater sees them. */
final class AgentModelHost implements ModelHost {
    private final TelemetryLoop telemetry;
    private final AgentState state;
    private final OutboxWriter out;
    private final Inbox inbox;
    private final DetectorConfig detectorConfig;
    private final int eventContextRows;
    private final CommandModelHolder commandModel;

    AgentModelHost(TelemetryLoop telemetry, AgentState state, OutboxWriter out, Inbox inbox,
                   DetectorConfig detectorConfig, int eventContextRows, CommandModelHolder commandModel) {
        this.commandModel = commandModel;
        this.telemetry = telemetry;
        this.state = state;
        this.out = out;
        this.inbox = inbox;
        this.detectorConfig = detectorConfig;
        this.eventContextRows = eventContextRows;
    }

    @Override
    public List<String> channels() {
        return telemetry.channels();
    }

    @Override
    public EdgePipeline activeDetector() {
        return telemetry.detector();
    }

    @Override
    public EdgePipeline newShadowPipeline(Consumer<AnomalyEvent> sink) {
        return new EdgePipeline(telemetry.channels(), detectorConfig, eventContextRows, sink);
    }

    @Override
    public void promote(EdgePipeline next) {
        telemetry.promote(next);
    }

    @Override
    public CommandModelHolder commandModel() {
        return commandModel;
    }

    @Override
    public void attribute(String key, String value) {
        state.attribute(key, value);
    }

    @Override
    public void publishInstallProgress(InstallProgress progress) {
        out.event(Event.newBuilder().setInstallProgress(progress));
    }

    @Override
    public void onSample(TelemetryLoop.SampleListener listener) {
        telemetry.onSample(listener);
    }

    @Override
    public void onOta(BiConsumer<String, byte[]> listener) {
        inbox.onOta(listener);
    }
}
