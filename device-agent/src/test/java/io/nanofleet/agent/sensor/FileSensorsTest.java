package io.nanofleet.agent.sensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSensorsTest {
    @TempDir
    Path dir;

    @Test
    void replaysSkabRowsAndLabels() throws IOException {
        Path f = dir.resolve("1.csv");
        Files.writeString(f, "datetime;Accelerometer1RMS;Current;anomaly;changepoint\n"
                + "2020-03-09 10:14:33;0.02;1.5;0.0;0.0\n"
                + "2020-03-09 10:14:34;0.03;1.7;1.0;0.0\n");
        try (CsvReplaySensor s = new CsvReplaySensor(f, false)) {
            assertEquals(List.of("Accelerometer1RMS", "Current"), s.channels());
            double[] x = new double[2];
            s.read(x);
            assertArrayEquals(new double[] {0.02, 1.5}, x);
            assertEquals(false, s.lastRowLabelledAnomalous());
            s.read(x);
            assertEquals(true, s.lastRowLabelledAnomalous());
            assertThrows(EOFException.class, () -> s.read(x));
        }
        try (CsvReplaySensor loop = new CsvReplaySensor(f, true)) {
            double[] x = new double[2];
            for (int i = 0; i < 5; i++) {
                loop.read(x);
            }
            assertEquals(5, loop.rowsRead());
            assertArrayEquals(new double[] {0.02, 1.5}, x);
        }
    }

    @Test
    void badCsvSaysWhereAndWhat() throws IOException {
        Path f = dir.resolve("bad.csv");
        Files.writeString(f, "datetime;a;b\nx;1;oops\n");
        try (CsvReplaySensor s = new CsvReplaySensor(f, false)) {
            IOException e = assertThrows(IOException.class, () -> s.read(new double[2]));
            assertTrue(e.getMessage().contains("bad.csv:2: channel 'b' is not a number: 'oops'"), e.getMessage());
        }
        Path empty = dir.resolve("empty.csv");
        Files.writeString(empty, "");
        assertThrows(IOException.class, () -> new CsvReplaySensor(empty, false));
    }

    @Test
    void readsThermalZonesAndHwmonFromAFakeSysfs() throws IOException {
        Path zone = Files.createDirectories(dir.resolve("thermal/thermal_zone0"));
        Files.writeString(zone.resolve("type"), "cpu-thermal\n");
        Files.writeString(zone.resolve("temp"), "48312\n");
        Path hw = Files.createDirectories(dir.resolve("hwmon/hwmon1"));
        Files.writeString(hw.resolve("name"), "rp1_adc\n");
        Files.writeString(hw.resolve("temp1_input"), "-1500\n");
        Files.writeString(hw.resolve("temp1_label"), "board\n");
        SysfsSensor s = new SysfsSensor(dir);
        assertEquals(List.of("cpu-thermal", "rp1_adc.board"), s.channels());
        double[] x = new double[2];
        s.read(x);
        assertArrayEquals(new double[] {48.312, -1.5}, x, 1e-9);
        Files.writeString(zone.resolve("temp"), "51000\n");
        s.read(x);
        assertEquals(51.0, x[0], 1e-9);
        Files.writeString(zone.resolve("temp"), "garbage\n");
        assertThrows(IOException.class, () -> s.read(x));
    }

    @Test
    void noTemperatureFilesIsAClearError() {
        IOException e = assertThrows(IOException.class, () -> new SysfsSensor(dir));
        assertTrue(e.getMessage().contains("sensor.sysfs.root"), e.getMessage());
    }

    @Test
    void parsesRegisterMapsAndRejectsBadOnes() {
        var map = ModbusRegister.parseMap("pressure:holding:0:0.01, temp:input:3:0.1:signed,flow:input:7");
        assertEquals(3, map.size());
        assertEquals(new ModbusRegister("temp", false, 3, 0.1, true), map.get(1));
        assertEquals(-1.0, map.get(1).value(0xfff6), 1e-9);
        assertEquals(655.35, map.get(0).value(0xffff), 1e-9);
        for (String bad : new String[] {"", "p:coil:1", "p:holding:x", "p:holding:70000", "p:holding:1:k", "p:holding:1,p:input:2",
                "p:holding:1:1:maybe"}) {
            assertThrows(IllegalArgumentException.class, () -> ModbusRegister.parseMap(bad), bad);
        }
    }
}
