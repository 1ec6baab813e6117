package io.nanofleet.anomaly.eval;

import io.nanofleet.anomaly.detect.Calibration;
import io.nanofleet.anomaly.detect.Calibrator;
import io.nanofleet.anomaly.detect.DetectionResult;
import io.nanofleet.anomaly.detect.DetectorConfig;
import io.nanofleet.anomaly.detect.EventTracker;
import io.nanofleet.anomaly.detect.Reconstructor;
import io.nanofleet.anomaly.detect.StreamingDetector;
import io.nanofleet.anomaly.model.ModelPair;
import io.nanofleet.anomaly.model.ModelProvider;
import io.nanofleet.anomaly.skab.SkabRecording;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The SKAB protocol: per file, calibrate (and in the strict protocol train) on the first
 * {@code calibrationRows} rows, then stream every later row through the detector exactly as a device would;
 * pool point-wise counts over all predicted rows of all files. A row's label is read only after the detector
 * has returned its verdict for that row.
 */
public final class SkabProtocol {
    /** Normal samples that end an event in the report: 30 s at SKAB's 1 Hz. */
    public static final int EVENT_MERGE_GAP = 30;
    private final String name;
    private final DetectorConfig config;
    private final ModelProvider models;
    private final Path predictionsDir;

    public SkabProtocol(String name, DetectorConfig config, ModelProvider models, Path predictionsDir) {
        this.name = name;
        this.config = config;
        this.models = models;
        this.predictionsDir = predictionsDir;
    }

    public EvaluationReport run(List<SkabRecording> recordings) throws IOException {
        if (recordings.isEmpty()) {
            throw new IllegalArgumentException("no experiment files to evaluate");
        }
        Calibrator calibrator = new Calibrator(config);
        Confusion int8All = new Confusion();
        Confusion floatAll = new Confusion();
        List<FileResult> files = new ArrayList<>();
        List<long[]> latencies = new ArrayList<>();
        double[] trainMs = new double[recordings.size()];
        int modelBytes = 0;
        int m = config.calibrationRows();
        for (int f = 0; f < recordings.size(); f++) {
            SkabRecording rec = recordings.get(f);
            if (!rec.hasLabels()) {
                throw new IllegalArgumentException(rec.name() + " has no 'anomaly' column, so it cannot be scored; remove it from --data");
            }
            if (rec.rows() <= m) {
                throw new IllegalArgumentException(rec.name() + " has " + rec.rows() + " rows; the protocol needs more than " + m);
            }
            long t0 = System.nanoTime();
            Calibrator.Prepared prepared = calibrator.prepare(rec.rows(0, m));
            ModelPair pair = models.modelsFor(prepared);
            Reconstructor int8 = pair.int8();
            Calibration int8Cal = models.calibrate(calibrator, prepared, pair, true);
            trainMs[f] = (System.nanoTime() - t0) / 1e6;
            Reconstructor floatTwin = pair.floatTwin();
            Calibration floatCal = models.calibrate(calibrator, prepared, pair, false);
            modelBytes = Math.max(modelBytes, pair.fileBytes(rec.channels(), int8Cal, config));

            Confusion floatConf = new Confusion();
            stream(rec, floatTwin, floatCal, floatConf, null, null, new ArrayList<>());
            Confusion int8Conf = new Confusion();
            long[] lat = new long[rec.rows() - m];
            List<AnomalyEvent> events = new ArrayList<>();
            stream(rec, int8, int8Cal, int8Conf, lat, predictionsDir, events);
            latencies.add(lat);
            int8All.addAll(int8Conf);
            floatAll.addAll(floatConf);
            files.add(new FileResult(rec.name(), rec.rows() - m, int8Conf, floatConf, trainMs[f], events));
        }
        double[] sortedTrain = trainMs.clone();
        Arrays.sort(sortedTrain);
        return new EvaluationReport(name, files, int8All, floatAll, modelBytes, medianMicros(latencies),
                sortedTrain[sortedTrain.length / 2], sortedTrain[sortedTrain.length - 1]);
    }

    private void stream(SkabRecording rec, Reconstructor model, Calibration cal, Confusion conf, long[] latency,
                        Path predictions, List<AnomalyEvent> events) throws IOException {
        int m = config.calibrationRows();
        StreamingDetector det = new StreamingDetector(model, cal, config);
        for (int r = m - config.window() + 1; r < m; r++) {
            det.warmUp(rec.sample(r));
        }
        boolean[] predicted = new boolean[rec.rows() - m];
        double[] scores = new double[rec.rows() - m];
        EventTracker tracker = new EventTracker(rec.channels().size(), 2, EVENT_MERGE_GAP);
        for (int r = m; r < rec.rows(); r++) {
            long t0 = System.nanoTime();
            DetectionResult res = det.update(rec.sample(r));
            long t1 = System.nanoTime();
            if (latency != null) {
                latency[r - m] = t1 - t0;
            }
            predicted[r - m] = res.anomalous();
            scores[r - m] = res.score();
            // The label is read only here, after the verdict for row r exists.
            conf.add(res.anomalous(), rec.label(r) == 1);
            addEvent(events, tracker.accept(res), rec, m);
        }
        addEvent(events, tracker.finish(), rec, m);
        if (predictions != null) {
            writePredictions(predictions, rec, scores, predicted);
        }
    }

    private static void addEvent(List<AnomalyEvent> events, EventTracker.Event e, SkabRecording rec, int firstRow) {
        if (e == null) {
            return;
        }
        List<String> names = new ArrayList<>();
        for (int c : e.topChannels()) {
            names.add(rec.channels().get(c));
        }
        int row = firstRow + (int) e.start();
        events.add(new AnomalyEvent(rec.name(), row, firstRow + (int) e.end(), rec.datetime(row), names, e.peakScore()));
    }

    private void writePredictions(Path dir, SkabRecording rec, double[] scores, boolean[] predicted) throws IOException {
        Path out = dir.resolve(rec.name()).normalize();
        if (!out.startsWith(dir.normalize())) {
            throw new IOException("refusing to write predictions outside " + dir + ": " + rec.name());
        }
        Files.createDirectories(out.getParent());
        int m = config.calibrationRows();
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            w.write("datetime;score;anomaly\n");
            for (int i = 0; i < scores.length; i++) {
                w.write(rec.datetime(m + i) + ";" + String.format(Locale.ROOT, "%.6g", scores[i]) + ";" + (predicted[i] ? 1 : 0) + "\n");
            }
        }
    }

    private static double medianMicros(List<long[]> latencies) {
        int total = latencies.stream().mapToInt(a -> a.length).sum();
        if (total == 0) {
            return Double.NaN;
        }
        long[] all = new long[total];
        int k = 0;
        for (long[] a : latencies) {
            System.arraycopy(a, 0, all, k, a.length);
            k += a.length;
        }
        Arrays.sort(all);
        return all[total / 2] / 1000.0;
    }
}
