package io.nanofleet.anomaly.bench;

import io.nanofleet.anomaly.detect.Calibration;
import io.nanofleet.anomaly.detect.Calibrator;
import io.nanofleet.anomaly.detect.DetectionResult;
import io.nanofleet.anomaly.detect.DetectorConfig;
import io.nanofleet.anomaly.detect.StreamingDetector;
import io.nanofleet.anomaly.model.ModelPair;
import io.nanofleet.anomaly.model.ModelProvider;
import io.nanofleet.anomaly.model.Models;
import io.nanofleet.anomaly.skab.SkabCsvReader;
import io.nanofleet.anomaly.skab.SkabRecording;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-sample cost of {@link StreamingDetector#update} with the strict model of SKAB valve1/0.csv (int8 and its
 * float twin side by side in one run), fed the file's rows after calibration in a loop. SampleTime mode gives
 * the median (p0.50) the BENCHMARKS.md table quotes. Run with the "bench" profile, see BENCHMARKS.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class UpdateBench {
    @Param({"int8", "float"})
    public String model;

    private StreamingDetector detector;
    private float[][] rows;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path file = dataFile();
        SkabRecording rec = SkabCsvReader.read(file, file.getFileName().toString());
        DetectorConfig cfg = DetectorConfig.DEFAULT;
        Calibrator calibrator = new Calibrator(cfg);
        Calibrator.Prepared p = calibrator.prepare(rec.rows(0, cfg.calibrationRows()));
        ModelProvider provider = Models.strict(cfg);
        ModelPair pair = provider.modelsFor(p);
        boolean int8 = model.equals("int8");
        Calibration cal = provider.calibrate(calibrator, p, pair, int8);
        detector = new StreamingDetector(int8 ? pair.int8() : pair.floatTwin(), cal, cfg);
        rows = rec.rows(cfg.calibrationRows(), rec.rows());
    }

    @Benchmark
    public DetectionResult update() {
        DetectionResult r = detector.update(rows[next]);
        next = next + 1 == rows.length ? 0 : next + 1;
        return r;
    }

    static Path dataFile() {
        String env = System.getenv("NANOFLEET_DATA");
        if (env != null) {
            return Path.of(env, "skab-dev", "valve1", "0.csv");
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path p = d.resolve("shared/data/skab-dev/valve1/0.csv");
            if (Files.exists(p)) {
                return p;
            }
        }
        throw new IllegalStateException("SKAB data not found: set NANOFLEET_DATA=/path/to/shared/data");
    }
}
