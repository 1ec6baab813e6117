package io.nanofleet.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.anomaly.detect.Calibration;
import io.nanofleet.anomaly.detect.DetectorConfig;
import io.nanofleet.anomaly.model.DetectorModelFile;
import io.nanofleet.anomaly.model.FleetModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run} and {@code status} refuse what they cannot use, with a message saying what to do, and exit 1. */
class AgentRunTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private int run(String... args) {
        err.reset();
        out.reset();
        PrintStream e = System.err;
        PrintStream o = System.out;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            return AgentMain.execute(args);
        } finally {
            System.setErr(e);
            System.setOut(o);
        }
    }

    private Path config(String text) throws Exception {
        Path p = dir.resolve("agent.conf");
        Files.writeString(p, "state.dir = " + dir.resolve("state") + "\n" + text);
        return p;
    }

    @Test
    void missingOrBrokenConfigFile() throws Exception {
        assertEquals(1, run("run", "--config", dir.resolve("nope.conf").toString()));
        assertTrue(err.toString().contains("cannot read") && err.toString().contains("--config"), err.toString());
        assertEquals(1, run("run", "--config", config("sensor.type = gps\n").toString()));
        assertTrue(err.toString().contains("sensor.type is 'gps'; allowed: one of simulated, csv, sysfs, modbus"), err.toString());
        assertEquals(2, run("run"));
    }

    @Test
    void notEnrolledYet() throws Exception {
        assertEquals(1, run("run", "--config", config("").toString()));
        assertTrue(err.toString().contains("device.id is not set (run 'nanofleet-agent enroll' first)"), err.toString());
        assertEquals(1, run("run", "--config", config("device.id = d1\nmqtt.url = mqtts://127.0.0.1:8883\n").toString()));
        assertTrue(err.toString().contains("TLS needs the device certificate") && err.toString().contains("enroll"), err.toString());
        assertEquals(1, run("run", "--config", config("device.id = d1\nmqtt.url = mqtt://127.0.0.1:1\n").toString()));
        assertTrue(err.toString().contains("commands.require-signature = true but no command key"), err.toString());
        assertEquals(1, run("status", "--config", config("device.id = d1\n").toString()));
        assertTrue(out.toString().contains("enrolled: no (run 'nanofleet-agent enroll"), out.toString());
        assertTrue(out.toString().contains("agent: never ran"), out.toString());
    }

    @Test
    void badAskBindingsStopTheStartNamingEveryKey() throws Exception {
        assertEquals(1, run("run", "--config", config("device.id = d1\nmqtt.url = mqtt://127.0.0.1:1\n"
                + "ask.bind.iot_hue_lightof = reply:off\nask.bind.iot_hue_lighton = modbus-coil:17:on\n"
                + "ask.bind.iot_coffee = action:brew\n").toString()));
        String e = err.toString();
        assertTrue(e.contains("3 problem(s)"), e);
        assertTrue(e.contains("ask.bind.iot_hue_lightof: the command model has no in-scope intent 'iot_hue_lightof' "
                + "(did you mean 'iot_hue_lightoff'?)"), e);
        assertTrue(e.contains("ask.bind.iot_hue_lighton: modbus-coil:17:on needs a Modbus server: set sensor.modbus.host"), e);
        assertTrue(e.contains("ask.bind.iot_coffee: unknown action 'brew'; actions: status, recalibrate"), e);
    }

    @Test
    void aFleetModelForOtherChannelsIsRefused() throws Exception {
        List<String> channels = List.of("a", "b", "c");
        List<float[][]> runs = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(1);
        float[][] rows = new float[1200][3];
        for (float[] row : rows) {
            double f = r.nextGaussian();
            for (int c = 0; c < 3; c++) {
                row[c] = (float) (f * (c + 1) + 0.1 * r.nextGaussian());
            }
        }
        runs.add(rows);
        FleetModel.Trained t = FleetModel.train(runs, DetectorConfig.DEFAULT, 1, 42, 2);
        Calibration cal = t.defaultCalibration();
        Path model = dir.resolve("fleet.nfm");
        DetectorModelFile.write(model, t.pair().int8Model(), channels, cal, DetectorConfig.DEFAULT);
        Path cfg = config("device.id = d1\nmqtt.url = mqtt://127.0.0.1:1\ncommands.require-signature = false\n"
                + "detector.model = " + model + "\n");
        assertEquals(1, run("run", "--config", cfg.toString()));
        assertTrue(err.toString().contains("is for channels [a, b, c], the sensor has [Accelerometer1RMS"), err.toString());
    }
}
