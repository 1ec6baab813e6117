package io.nanofleet.agent.sensor;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Replays a SKAB-format file ({@code ;}-separated, a {@code datetime} column, the sensor channels, optional
 * {@code anomaly} and {@code changepoint} label columns), one row per {@link #read}. The pace is the agent's
 * sample interval, not the file's timestamps, so a replay can run faster than real time. Streams the file:
 * nothing but the current row is in memory. At the end it starts again ({@code loop}) or reports
 * {@link EOFException} on every further read.
 */
public final class CsvReplaySensor implements SensorSource {
    private static final List<String> NOT_CHANNELS = List.of("datetime", "anomaly", "changepoint");

    private final Path file;
    private final boolean loop;
    private final List<String> channels;
    private final int[] columns;
    private final int anomalyColumn;
    private BufferedReader reader;
    private long line;
    private long rowsRead;
    private boolean lastAnomalous;

    public CsvReplaySensor(Path file, boolean loop) throws IOException {
        this.file = file;
        this.loop = loop;
        this.reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        String header = reader.readLine();
        line = 1;
        if (header == null) {
            throw new IOException(file + " is empty; expected a SKAB header 'datetime;<channel>;...'");
        }
        String[] names = header.split(";", -1);
        List<String> ch = new ArrayList<>();
        List<Integer> cols = new ArrayList<>();
        int anomaly = -1;
        for (int i = 0; i < names.length; i++) {
            String name = names[i].strip();
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("anomaly")) {
                anomaly = i;
            }
            if (!NOT_CHANNELS.contains(lower) && !name.isEmpty()) {
                ch.add(name);
                cols.add(i);
            }
        }
        if (ch.isEmpty()) {
            throw new IOException(file + ":1: no sensor columns in header '" + header + "'");
        }
        this.channels = List.copyOf(ch);
        this.columns = cols.stream().mapToInt(Integer::intValue).toArray();
        this.anomalyColumn = anomaly;
    }

    @Override
    public List<String> channels() {
        return channels;
    }

    @Override
    public synchronized void read(double[] out) throws IOException {
        String row = reader.readLine();
        while (row != null && row.isBlank()) {
            line++;
            row = reader.readLine();
        }
        if (row == null) {
            if (!loop) {
                throw new EOFException(file + ": replay finished after " + rowsRead + " rows");
            }
            reader.close();
            reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
            reader.readLine();
            line = 1;
            row = reader.readLine();
            if (row == null) {
                throw new EOFException(file + " has no data rows");
            }
        }
        line++;
        String[] f = row.split(";", -1);
        for (int c = 0; c < columns.length; c++) {
            if (columns[c] >= f.length) {
                throw new IOException(file + ":" + line + ": " + f.length + " fields, channel '" + channels.get(c) + "' missing");
            }
            try {
                out[c] = Double.parseDouble(f[columns[c]].strip());
            } catch (NumberFormatException e) {
                throw new IOException(file + ":" + line + ": channel '" + channels.get(c) + "' is not a number: '" + f[columns[c]] + "'");
            }
        }
        lastAnomalous = anomalyColumn >= 0 && anomalyColumn < f.length && f[anomalyColumn].strip().startsWith("1");
        rowsRead++;
    }

    /** Rows returned so far (over all loops). */
    public synchronized long rowsRead() {
        return rowsRead;
    }

    /** The label of the last row read (false when the file has no {@code anomaly} column). */
    public synchronized boolean lastRowLabelledAnomalous() {
        return lastAnomalous;
    }

    @Override
    public synchronized void close() {
        try {
            reader.close();
        } catch (IOException ignored) {
            // read-only file
        }
    }
}
