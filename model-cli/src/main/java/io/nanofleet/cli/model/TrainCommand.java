package io.nanofleet.cli.model;

import io.nanofleet.anomaly.detect.DetectorConfig;
import io.nanofleet.anomaly.model.FleetModel;
import io.nanofleet.anomaly.model.Models;
import io.nanofleet.anomaly.skab.SkabCsvReader;
import io.nanofleet.anomaly.skab.SkabRecording;
import io.nanofleet.runtime.ModelFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code train}: the fleet base model from normal data, quantized to int8 and written as a model file.
 *
 * <p>Other models' trainers can be added as subcommands ({@code train <model> ...}); {@code train} without one
 * still trains the anomaly model. That is why {@code --data} and {@code --out} are checked in {@link #call()}
 * and not declared {@code required}: picocli checks a parent's required options even when a subcommand is
 * given, so {@code train <model>} would fail for want of them. The synopsis is written out so --help still shows
 * them as required; give it a line per subcommand when one is added.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        subcommands = TrainIntentsCommand.class,
        customSynopsis = {"${COMMAND-FULL-NAME} [-hV] --data=FILE|DIR --out=FILE [--seed=N] [--epochs=N]",
                "${COMMAND-FULL-NAME} intents --data=FILE.jsonl [--data=FILE2.jsonl] --local-scenarios=iot --out=FILE [--folds=K]"},
        description = {"Train the fleet base model (linear autoencoder) on normal data, quantize it to int8 and write "
                + "the model file (plus its float twin, <name>.float.nfm, for evaluation).",
                "Input: a SKAB-format csv or a folder of them (searched recursively), e.g. SKAB's anomaly-free run or "
                + "data exported from devices. Rows must be normal: a file with rows labelled anomaly=1 is refused.",
                "Deterministic: the same data and --seed give the same bytes."})
public final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "FILE|DIR", description = "Required. Normal-operation data (SKAB csv format).")
    Path data;

    @Option(names = "--out", paramLabel = "FILE", description = "Required. Model file to write (e.g. fleet.nfm).")
    Path out;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Training seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--epochs", defaultValue = "20", paramLabel = "N", description = "Adam epochs after the PCA start (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Override
    public Integer call() throws Exception {
        List<String> missing = new ArrayList<>();
        if (data == null) {
            missing.add("'--data=FILE|DIR'");
        }
        if (out == null) {
            missing.add("'--out=FILE'");
        }
        if (!missing.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "Missing required option" + (missing.size() > 1 ? "s" : "") + ": " + String.join(", ", missing));
        }
        if (epochs < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--epochs must be >= 1");
        }
        List<SkabRecording> recordings = read(data);
        List<float[][]> rows = new ArrayList<>();
        List<String> channels = recordings.get(0).channels();
        for (SkabRecording r : recordings) {
            if (!r.channels().equals(channels)) {
                throw new IllegalArgumentException(r.name() + " has channels " + r.channels() + ", expected " + channels);
            }
            if (r.hasLabels()) {
                for (int i = 0; i < r.rows(); i++) {
                    if (r.label(i) == 1) {
                        throw new IllegalArgumentException(r.name() + " row " + (i + 2) + " is labelled anomalous; "
                                + "train on normal data only (e.g. SKAB's anomaly-free folder)");
                    }
                }
            }
            rows.add(r.rows(0, r.rows()));
        }
        DetectorConfig config = DetectorConfig.DEFAULT;
        long t0 = System.nanoTime();
        FleetModel.Trained t = FleetModel.train(rows, config, Models.FLEET_COMPONENTS, seed, epochs);
        double ms = (System.nanoTime() - t0) / 1e6;
        FleetModel.write(t, out, channels, config);
        spec.commandLine().getOut().printf(Locale.ROOT,
                "wrote %s (int8, %d bytes, sha256 %s) and %s; %d rows, final loss %.5f, %.0f ms, seed %d%n",
                out, Files.size(out), ModelFile.sha256Hex(Files.readAllBytes(out)).substring(0, 16),
                FleetModel.floatTwinPath(out).getFileName(), rows.stream().mapToInt(a -> a.length).sum(),
                t.training().finalLoss(), ms, seed);
        return 0;
    }

    private static List<SkabRecording> read(Path data) throws IOException {
        if (Files.isRegularFile(data)) {
            return List.of(SkabCsvReader.read(data, data.getFileName().toString()));
        }
        if (!Files.isDirectory(data)) {
            throw new java.nio.file.NoSuchFileException(data.toString(), null, "no such file or folder; pass --data with normal-operation csv data");
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(data)) {
            files = s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".csv")).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no .csv files under " + data);
        }
        List<SkabRecording> out = new ArrayList<>();
        for (Path f : files) {
            out.add(SkabCsvReader.read(f, data.relativize(f).toString()));
        }
        return out;
    }
}
