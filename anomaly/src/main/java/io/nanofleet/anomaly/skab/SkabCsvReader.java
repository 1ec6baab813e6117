package io.nanofleet.anomaly.skab;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads SKAB-format CSV: {@code ;}-separated, a header whose first column is {@code datetime}, then the sensor
 * channels, then optionally {@code anomaly} and {@code changepoint}. Every channel value must be a finite
 * number; anything else is a {@link SkabFormatException} naming file and line, never a silently skipped row.
 */
public final class SkabCsvReader {
    /** The SKAB test bed's eight channels, in file order. */
    public static final List<String> SKAB_CHANNELS = List.of("Accelerometer1RMS", "Accelerometer2RMS", "Current",
            "Pressure", "Temperature", "Thermocouple", "Voltage", "Volume Flow RateRMS");

    private SkabCsvReader() {
    }

    public static SkabRecording read(Path file, String name) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = in.readLine();
            if (header == null) {
                throw new SkabFormatException(file, 1, "empty file; expected a header starting with 'datetime'");
            }
            String[] cols = header.strip().replace("\uFEFF", "").split(";", -1);
            if (cols.length < 2 || !cols[0].strip().equals("datetime")) {
                throw new SkabFormatException(file, 1, "header must start with 'datetime;' (is this a ;-separated SKAB file?)");
            }
            int anomalyCol = -1;
            List<String> channels = new ArrayList<>();
            for (int i = 1; i < cols.length; i++) {
                String c = cols[i].strip();
                if (c.equals("anomaly")) {
                    anomalyCol = i;
                } else if (!c.equals("changepoint")) {
                    if (anomalyCol >= 0) {
                        throw new SkabFormatException(file, 1, "sensor column '" + c + "' after the label columns");
                    }
                    channels.add(c);
                }
            }
            if (channels.isEmpty()) {
                throw new SkabFormatException(file, 1, "no sensor columns in header");
            }
            List<String> times = new ArrayList<>();
            List<float[]> rows = new ArrayList<>();
            List<Byte> labels = new ArrayList<>();
            String line;
            int lineNo = 1;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(";", -1);
                if (f.length != cols.length) {
                    throw new SkabFormatException(file, lineNo, "expected " + cols.length + " fields, found " + f.length);
                }
                float[] x = new float[channels.size()];
                for (int c = 0; c < x.length; c++) {
                    x[c] = number(f[c + 1], file, lineNo, channels.get(c));
                }
                times.add(f[0].strip());
                rows.add(x);
                if (anomalyCol >= 0) {
                    float a = number(f[anomalyCol], file, lineNo, "anomaly");
                    if (a != 0f && a != 1f) {
                        throw new SkabFormatException(file, lineNo, "anomaly must be 0 or 1, found " + f[anomalyCol]);
                    }
                    labels.add((byte) a);
                }
            }
            if (rows.isEmpty()) {
                throw new SkabFormatException(file, lineNo, "no data rows");
            }
            byte[] lab = null;
            if (anomalyCol >= 0) {
                lab = new byte[labels.size()];
                for (int i = 0; i < lab.length; i++) {
                    lab[i] = labels.get(i);
                }
            }
            return new SkabRecording(name, channels, times.toArray(new String[0]), rows.toArray(new float[0][]), lab);
        }
    }

    private static float number(String s, Path file, int line, String column) throws SkabFormatException {
        try {
            float v = Float.parseFloat(s.strip());
            if (!Float.isFinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new SkabFormatException(file, line, "column '" + column + "' is not a finite number: '" + s + "'");
        }
    }
}
