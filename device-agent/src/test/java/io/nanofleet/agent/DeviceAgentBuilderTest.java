package io.nanofleet.agent;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.agent.sensor.SimulatedSensor;
import io.nanofleet.protocols.DeviceId;
import org.junit.jupiter.api.Test;

class DeviceAgentBuilderTest {
    @Test
    void rejectsDeviceIdsThatCouldEscapeTheirTopics() {
        var e = assertThrows(DeviceId.InvalidDeviceIdException.class, () -> DeviceAgent.builder().deviceId("a/#")
                .broker("tcp://127.0.0.1:1").sensor(new SimulatedSensor(1)).build());
        assertTrue(e.getMessage().contains("only letters"), e.getMessage());
    }

    @Test
    void rejectsNonPositiveIntervals() {
        assertThrows(IllegalArgumentException.class, () -> DeviceAgent.builder().sampleIntervalMs(0));
        assertThrows(IllegalArgumentException.class, () -> DeviceAgent.builder().telemetryIntervalMs(-1));
    }

    @Test
    void requiresABroker() {
        assertThrows(NullPointerException.class,
                () -> DeviceAgent.builder().deviceId("d").sensor(new SimulatedSensor(1)).build());
    }
}
