package io.nanofleet.anomaly.skab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.anomaly.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SkabCsvReaderTest {
    static final String HEADER = "datetime;a;b;anomaly;changepoint\n";

    @TempDir
    Path tmp;

    private Path write(String name, String content) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    @Test
    void readsChannelsLabelsAndTimes() throws IOException {
        Path p = write("x.csv", HEADER + "2020-01-01 00:00:00;1.5;-2;0.0;0.0\n2020-01-01 00:00:01;3;4e-3;1.0;1.0\n");
        SkabRecording r = SkabCsvReader.read(p, "x.csv");
        assertEquals(List.of("a", "b"), r.channels());
        assertEquals(2, r.rows());
        assertArrayEquals(new float[]{1.5f, -2f}, r.sample(0));
        assertArrayEquals(new float[]{3f, 4e-3f}, r.sample(1));
        assertEquals(0, r.label(0));
        assertEquals(1, r.label(1));
        assertEquals("2020-01-01 00:00:01", r.datetime(1));
    }

    @Test
    void fileWithoutLabelsHasNone() throws IOException {
        SkabRecording r = SkabCsvReader.read(write("n.csv", "datetime;a\nt;1\n"), "n.csv");
        assertFalse(r.hasLabels());
        assertThrows(IllegalStateException.class, () -> r.label(0));
    }

    @Test
    void badInputsFailWithFileAndLine() throws IOException {
        assertMessage(write("e.csv", ""), "empty file");
        assertMessage(write("h.csv", "time,a,b\n1,2,3\n"), "header must start with 'datetime;'");
        assertMessage(write("f.csv", HEADER + "t;1;2;0\n"), "f.csv:2: expected 5 fields, found 4");
        assertMessage(write("v.csv", HEADER + "t;1;2;0;0\nt;1;oops;0;0\n"), "v.csv:3: column 'b' is not a finite number: 'oops'");
        assertMessage(write("nan.csv", HEADER + "t;NaN;2;0;0\n"), "column 'a' is not a finite number");
        assertMessage(write("l.csv", HEADER + "t;1;2;2;0\n"), "anomaly must be 0 or 1");
        assertMessage(write("r.csv", HEADER), "no data rows");
        assertMessage(write("s.csv", "datetime;anomaly\nt;0\n"), "no sensor columns");
    }

    private static void assertMessage(Path p, String expected) {
        SkabFormatException e = assertThrows(SkabFormatException.class, () -> SkabCsvReader.read(p, "x"));
        assertTrue(e.getMessage().contains(expected), e.getMessage() + " should contain " + expected);
    }

    @Test
    void folderIsSearchedRecursivelyInNumericOrderWithoutAnomalyFree() throws IOException {
        Files.createDirectories(tmp.resolve("d/valve/sub"));
        Files.createDirectories(tmp.resolve("d/anomaly-free"));
        for (String f : List.of("d/valve/10.csv", "d/valve/2.csv", "d/valve/sub/1.csv", "d/anomaly-free/anomaly-free.csv")) {
            Files.writeString(tmp.resolve(f), "datetime;a;anomaly\nt;1;0\n");
        }
        Files.writeString(tmp.resolve("d/valve/readme.txt"), "not data");
        List<String> names = SkabFolder.experiments(tmp.resolve("d")).stream().map(SkabRecording::name).toList();
        assertEquals(List.of("valve/2.csv", "valve/10.csv", "valve/sub/1.csv"), names);
        assertThrows(java.nio.file.NoSuchFileException.class, () -> SkabFolder.experiments(tmp.resolve("missing")));
    }

    @Test
    void readsTheRealSkabFiles() throws IOException {
        Path dev = TestData.skabDev();
        List<SkabRecording> files = SkabFolder.experiments(dev);
        assertEquals(16, files.size());
        for (SkabRecording r : files) {
            assertEquals(SkabCsvReader.SKAB_CHANNELS, r.channels(), r.name());
            assertTrue(r.hasLabels());
            assertTrue(r.rows() > 1000, r.name());
        }
    }
}
