package io.nanofleet.cli.model;

import io.nanofleet.anomaly.detect.DetectorConfig;
import io.nanofleet.anomaly.eval.AnomalyEvent;
import io.nanofleet.anomaly.eval.EvaluationReport;
import io.nanofleet.anomaly.eval.FileResult;
import io.nanofleet.anomaly.eval.SkabProtocol;
import io.nanofleet.anomaly.model.ModelProvider;
import io.nanofleet.anomaly.model.Models;
import io.nanofleet.anomaly.skab.SkabFolder;
import io.nanofleet.anomaly.skab.SkabRecording;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code eval skab}: the SKAB protocol over every experiment file under --data. */
@Command(name = "skab", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the SKAB protocol (per file: calibrate on the first 400 rows, predict every later row; "
                + "point-wise F1/FAR/MAR pooled over all predicted rows) for the int8 model and its float twin.",
                "Files are found recursively; anything under an 'anomaly-free' folder is not scored.",
                "The last line is: overall protocol=<p> int8_f1=<x> int8_far=<x> int8_mar=<x> float_f1=<x> model_bytes=<n> update_us=<x>"})
public final class EvalSkabCommand implements Callable<Integer> {
    public enum Protocol { strict, fleet }

    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Folder of SKAB-format csv files.")
    Path data;

    @Option(names = "--protocol", paramLabel = "strict|fleet", defaultValue = "fleet",
            description = "strict: the model is trained, quantized and calibrated on each file's first 400 rows only. "
                    + "fleet (default): a base model trained on normal data (--model, or the anomaly-free run under --data) "
                    + "is calibrated on the first 400 rows.")
    Protocol protocol;

    @Option(names = "--model", paramLabel = "FILE", description = "Fleet base model written by 'train' (fleet protocol only).")
    Path model;

    @Option(names = "--predictions", paramLabel = "DIR",
            description = "Also write, per input file, DIR/<file>.csv with datetime;score;anomaly for every predicted row.")
    Path predictions;

    @Option(names = "--events", description = "Also list every int8 anomaly event with the two channels that contributed most.")
    boolean events;

    @Option(names = "--threshold-factor", paramLabel = "X", description = "Override the global threshold factor (sensitivity studies only).")
    Double thresholdFactor;

    @Override
    public Integer call() throws Exception {
        DetectorConfig config = DetectorConfig.DEFAULT;
        if (thresholdFactor != null) {
            config = config.withThresholdFactor(thresholdFactor);
        }
        if (model != null && protocol == Protocol.strict) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--model is a fleet base model; the strict protocol trains on each file's first rows (drop --model or use --protocol fleet)");
        }
        List<SkabRecording> files = SkabFolder.experiments(data);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no .csv experiment files under " + data + " (anomaly-free folders are skipped)");
        }
        ModelProvider provider = protocol == Protocol.strict
                ? Models.strict(config)
                : Models.fleet(config, model != null ? model : null, data);
        EvaluationReport report = new SkabProtocol(protocol.name(), config, provider, predictions).run(files);
        print(report, events, spec.commandLine().getOut());
        return 0;
    }

    static void print(EvaluationReport r, boolean events, PrintWriter out) {
        out.printf(Locale.ROOT, "%-24s %5s %8s %8s %8s %8s %9s %9s %8s %8s%n", "file", "rows", "int8_f1", "int8_far", "int8_mar",
                "float_f1", "float_far", "float_mar", "train_ms", "events");
        for (FileResult f : r.files()) {
            out.printf(Locale.ROOT, "%-24s %5d %8s %8s %8s %8s %9s %9s %8.1f %8d%n", f.name(), f.predictedRows(), fmt(f.int8().f1()),
                    fmt(f.int8().far()), fmt(f.int8().mar()), fmt(f.floatTwin().f1()), fmt(f.floatTwin().far()),
                    fmt(f.floatTwin().mar()), f.trainMillis(), f.events().size());
        }
        if (events) {
            for (FileResult f : r.files()) {
                for (AnomalyEvent e : f.events()) {
                    out.printf(Locale.ROOT, "event %s %s rows %d-%d (%d s) peak %.1f: %s%n", e.file(), e.startTime(), e.startRow(),
                            e.endRow() - 1, e.endRow() - e.startRow(), e.peakScore(), String.join(", ", e.topChannels()));
                }
            }
        }
        out.printf(Locale.ROOT, "float twin: f1=%.4f far=%.4f mar=%.4f; calibration%s per file: median %.1f ms, max %.1f ms%n",
                r.floatTwin().f1(), r.floatTwin().far(), r.floatTwin().mar(),
                r.protocol().equals("strict") ? " + training + quantization" : "", r.medianTrainMillis(), r.maxTrainMillis());
        out.println(r.overallLine());
        out.flush();
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }
}
