package io.nanofleet.server.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.ModelInfo;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The model a rollout rolls a device back to is the one of the rollout's kind the device reported. */
class DeviceHealthLogTest {
    @Test
    void remembersTheRunningModelOfEachKind() {
        DeviceHealthLog log = new DeviceHealthLog(() -> 1000, 60_000);
        assertEquals(Optional.empty(), log.currentModel("d1", "command-model"));
        log.onState(DeviceState.newBuilder().setDeviceId("d1")
                .setAnomalyModel(ModelInfo.newBuilder().setName("models/anomaly-v1.nfm").setSha256("aa"))
                .setCommandModel(ModelInfo.newBuilder().setName("models/command-v1.nfm").setSha256("cc")).build());
        assertEquals(Optional.of("models/anomaly-v1.nfm"), log.currentModel("d1"));
        assertEquals(Optional.of("models/anomaly-v1.nfm"), log.currentModel("d1", "anomaly-model"));
        assertEquals(Optional.of("models/command-v1.nfm"), log.currentModel("d1", "command-model"));
        assertEquals(Optional.empty(), log.currentModel("d1", "agent"));

        // A model without a repository name (the shipped command model, an on-device detector) names nothing to roll
        // back to, and does not hide the last named one.
        log.onState(DeviceState.newBuilder().setDeviceId("d1")
                .setCommandModel(ModelInfo.newBuilder().setName("").setSha256("bb")).build());
        assertEquals(Optional.of("models/command-v1.nfm"), log.currentModel("d1", "command-model"));
        log.onState(DeviceState.newBuilder().setDeviceId("d2")
                .setCommandModel(ModelInfo.newBuilder().setName("").setSha256("bb")).build());
        assertEquals(Optional.empty(), log.currentModel("d2", "command-model"));
    }
}
