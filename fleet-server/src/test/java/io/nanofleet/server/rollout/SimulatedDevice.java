package io.nanofleet.server.rollout;

import io.nanofleet.ota.director.AssignmentVerifier;
import io.nanofleet.ota.director.DirectorAssignment;
import io.nanofleet.ota.metadata.Root;
import io.nanofleet.protocols.Codecs;
import io.nanofleet.protocols.Topics;
import io.nanofleet.protocols.v1.AnomalyEvent;
import io.nanofleet.protocols.v1.Assignment;
import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.InstallProgress;
import io.nanofleet.protocols.v1.MessageKind;
import io.nanofleet.protocols.v1.ModelInfo;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;

/**
 * A test double of the device side of an update, speaking the real wire protocol over a real Paho MQTT 5
 * connection: retained state (current model, {@code inference_us}, restart count), anomaly events, and
 * on an assignment on {@code nf/v1/d/{id}/ota}: verifies the director signature against the fleet's
 * root (ota's AssignmentVerifier, as the agent does), reports InstallProgress (DOWNLOADING, then
 * IDLE with LwM2M result 1) and switches model. A model whose name contains "bad" floods anomaly
 * events, which is what the health gate must catch. It skips the download and A/B install: those are
 * the agent's (issue 6) and ota's (issue 5) job and tested there.
 */
final class SimulatedDevice implements AutoCloseable {
    final String id;
    private final Root root;
    private final MqttAsyncClient client;
    private final AtomicLong seq = new AtomicLong();
    private final AtomicLong lastDirectorVersion = new AtomicLong();
    volatile String model;
    volatile int rejectedAssignments;

    SimulatedDevice(String id, String brokerUri, Root root, String model) throws MqttException {
        this.id = id;
        this.root = root;
        this.model = model;
        this.client = new MqttAsyncClient(brokerUri, id, new MemoryPersistence());
    }

    SimulatedDevice start(ScheduledExecutorService timer) throws MqttException {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setKeepAliveInterval(30);
        client.setCallback(new org.eclipse.paho.mqttv5.client.MqttCallback() {
            @Override
            public void disconnected(org.eclipse.paho.mqttv5.client.MqttDisconnectResponse r) {}

            @Override
            public void mqttErrorOccurred(MqttException e) {}

            @Override
            public void messageArrived(String topic, MqttMessage msg) {
                timer.execute(() -> onAssignment(msg));
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.mqttv5.client.IMqttToken token) {}

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {}

            @Override
            public void authPacketArrived(int reasonCode, org.eclipse.paho.mqttv5.common.packet.MqttProperties properties) {}
        });
        client.connect(o).waitForCompletion(15_000);
        client.subscribe(new MqttSubscription(Topics.ota(id), 1)).waitForCompletion(15_000);
        publishState();
        timer.scheduleWithFixedDelay(this::publishStateQuietly, 300, 300, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::maybeAnomaly, 100, 100, TimeUnit.MILLISECONDS);
        return this;
    }

    private void onAssignment(MqttMessage msg) {
        try {
            Assignment a = Codecs.ASSIGNMENT.decode(msg.getPayload());
            DirectorAssignment da = new AssignmentVerifier(id, "sim-hw")
                    .parse(a.getSignedMetadata().toByteArray(), root, Instant.now(), lastDirectorVersion.get());
            if (!da.deviceId().equals(id) || !da.targetName().equals(a.getTargetName())) {
                throw new IllegalStateException("assignment is for " + da.deviceId() + "/" + da.targetName());
            }
            lastDirectorVersion.set(da.version());
            progress(da.targetName(), InstallProgress.State.DOWNLOADING, 0, "");
            model = da.targetName();
            progress(da.targetName(), InstallProgress.State.IDLE, 1, "installed");
            publishState();
        } catch (Exception e) {
            rejectedAssignments++;
        }
    }

    private void progress(String target, InstallProgress.State state, int result, String message) throws MqttException {
        Event e = Event.newBuilder().setSchemaVersion(1).setKind(MessageKind.EVENT).setDeviceId(id)
                .setEventId(id + "-" + seq.incrementAndGet()).setSequence(seq.get()).setTimestampMs(System.currentTimeMillis())
                .setInstallProgress(InstallProgress.newBuilder().setTargetName(target).setState(state).setResult(result)
                        .setMessage(message))
                .build();
        client.publish(Topics.events(id), Codecs.EVENT.encode(e), 1, false);
    }

    private void maybeAnomaly() {
        if (model == null || !model.contains("bad") || !client.isConnected()) {
            return;
        }
        try {
            Event e = Event.newBuilder().setSchemaVersion(1).setKind(MessageKind.EVENT).setDeviceId(id)
                    .setEventId(id + "-" + seq.incrementAndGet()).setSequence(seq.get()).setTimestampMs(System.currentTimeMillis())
                    .setAnomaly(AnomalyEvent.newBuilder().setScore(9).setThreshold(1).setModelSha256("bad"))
                    .build();
            client.publish(Topics.events(id), Codecs.EVENT.encode(e), 1, false);
        } catch (MqttException ex) {
            // the next tick tries again
        }
    }

    private void publishStateQuietly() {
        try {
            publishState();
        } catch (MqttException e) {
            // the next tick tries again
        }
    }

    private void publishState() throws MqttException {
        if (!client.isConnected()) {
            return;
        }
        DeviceState s = DeviceState.newBuilder().setSchemaVersion(1).setKind(MessageKind.DEVICE_STATE).setDeviceId(id)
                .setStatus(DeviceState.Status.ONLINE).setTimestampMs(System.currentTimeMillis()).setHardwareId("sim-hw")
                .setAgentVersion("sim").setAnomalyModel(ModelInfo.newBuilder().setName(model))
                .putAttributes("inference_us", "850").build();
        client.publish(Topics.state(id), Codecs.STATE.encode(s), 1, true);
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(1000).waitForCompletion(2000);
            }
            client.close(true);
        } catch (MqttException e) {
            // closing
        }
    }
}
