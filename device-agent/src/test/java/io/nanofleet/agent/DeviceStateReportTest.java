package io.nanofleet.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.agent.sensor.SimulatedSensor;
import io.nanofleet.protocols.v1.DeviceState;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the retained state tells the fleet's rollout gate: model, inference latency, restarts. */
class DeviceStateReportTest {
    @TempDir
    Path stateDir;

    private DeviceAgent agent() throws Exception {
        return DeviceAgent.builder().deviceId("st-1").broker("tcp://127.0.0.1:1").sensor(new SimulatedSensor(4))
                .stateDir(stateDir).build();
    }

    @Test
    void reportsTheRunningModelAndItsInferenceTimeOnceScoring() throws Exception {
        DeviceAgent a = agent();
        try {
            DeviceState before = a.state(DeviceState.Status.ONLINE);
            assertFalse(before.hasAnomalyModel(), "no model before calibration: " + before);
            assertFalse(before.getAttributesMap().containsKey("inference_us"));

            SimulatedSensor sensor = new SimulatedSensor(4);
            double[] x = new double[sensor.channels().size()];
            for (int i = 0; i < 3000 && a.detector().scoredSamples() < 200; i++) {
                sensor.read(x);
                a.detector().accept(i * 10L, x);
            }
            assertTrue(a.detector().scoredSamples() >= 200, "the detector calibrated and scores");
            DeviceState s = a.state(DeviceState.Status.ONLINE);
            assertEquals(a.detector().modelSha256(), s.getAnomalyModel().getSha256());
            assertEquals(64, s.getAnomalyModel().getSha256().length(), s.toString());
            assertEquals("", s.getAnomalyModel().getName(), "trained on the device: no repository name");
            double us = Double.parseDouble(s.getAttributesOrThrow("inference_us"));
            assertTrue(us > 0 && us < 1_000_000, "inference_us " + us);

            // The command model too: the shipped one until one is installed over the air (no repository name).
            assertEquals(a.commandModel().sha256(), s.getCommandModel().getSha256());
            assertEquals(64, s.getCommandModel().getSha256().length(), s.toString());
            assertEquals("", s.getCommandModel().getName());

            a.attribute("model.active", "models/anomaly-v2.nfm");
            assertEquals("models/anomaly-v2.nfm", a.state(DeviceState.Status.ONLINE).getAnomalyModel().getName());
            assertFalse(a.state(DeviceState.Status.OFFLINE).getAttributesMap().containsKey("inference_us"),
                    "the last will carries no live figures");
        } finally {
            a.close();
        }
    }

    @Test
    void countsStartsInTheStateDirectory() throws Exception {
        for (int expected = 0; expected < 3; expected++) {
            DeviceAgent a = agent();
            try {
                assertEquals(expected, a.state(DeviceState.Status.ONLINE).getRestartCount());
            } finally {
                a.close();
            }
        }
        Files.writeString(stateDir.resolve(RestartCounter.FILE), "garbage");
        DeviceAgent a = agent();
        try {
            assertEquals(0, a.state(DeviceState.Status.ONLINE).getRestartCount(), "a damaged counter starts again");
        } finally {
            a.close();
        }
        assertEquals("1", Files.readString(stateDir.resolve(RestartCounter.FILE)));
    }
}
