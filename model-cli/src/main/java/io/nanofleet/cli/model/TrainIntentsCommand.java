package io.nanofleet.cli.model;

import io.nanofleet.intents.data.Utterance;
import io.nanofleet.intents.data.UtteranceReader;
import io.nanofleet.intents.eval.CrossValidation;
import io.nanofleet.intents.eval.Outcome;
import io.nanofleet.intents.eval.Scores;
import io.nanofleet.intents.eval.SlotScores;
import io.nanofleet.intents.model.CommandModelTraining;
import io.nanofleet.intents.model.TrainOptions;
import io.nanofleet.intents.slots.SlotExtractor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code train intents}: the on-device command model. Cross-validates first (the temperature and the
 * offload threshold come from the out-of-fold predictions), then trains the shipped model on everything.
 */
@Command(name = "intents", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train the on-device command model on labelled JSON lines (HWU64 / SLURP format: text or "
                + "sentence, scenario, intent, optional annotation with [slot : words] spans), quantize it to int8 and "
                + "write the model file.",
                "Utterances of --local-scenarios are answered on the device; every other scenario is offloaded. The "
                + "confidence temperature and threshold are fitted by K-fold cross-validation and stored in the file.",
                "Deterministic: the same data and --seed give the same bytes."})
public final class TrainIntentsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "FILE.jsonl", description = "Training data; repeat to combine files.")
    List<Path> data;

    @Option(names = "--local-scenarios", required = true, split = ",", paramLabel = "SCENARIO[,SCENARIO...]",
            description = "Scenarios answered on the device, e.g. iot or iot,agent.")
    List<String> localScenarios;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Model file to write (e.g. cmd.nfm).")
    Path out;

    @Option(names = "--folds", defaultValue = "5", paramLabel = "K",
            description = "Cross-validation folds for calibration; the cross-validated figures are printed (default: ${DEFAULT-VALUE}).")
    int folds;

    @Option(names = "--min-offload", defaultValue = "0.995", paramLabel = "F",
            description = "Threshold rule: at least this share of out-of-scope folds utterances offloaded (default: ${DEFAULT-VALUE}).")
    double minOffload;

    @Option(names = "--max-wrong-local", defaultValue = "0.015", paramLabel = "F",
            description = "Threshold rule: at most this share of local answers wrong (default: ${DEFAULT-VALUE}).")
    double maxWrongLocal;

    @Option(names = "--epochs", paramLabel = "N", description = "Training epochs (default: the recipe's).")
    Integer epochs;

    @Option(names = "--members", paramLabel = "K", description = "Ensemble members, each hashing the text its own way (default: the recipe's, 3).")
    Integer members;

    @Option(names = "--buckets", paramLabel = "N", description = "Hash buckets per member; the int8 file is about members x buckets x 32 bytes (default: the recipe's, 2048).")
    Integer buckets;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seed for weights, shuffling and folds (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-q", "--quiet"}, description = "Print only the figures, not progress.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        if (folds < 2) {
            throw new ParameterException(spec.commandLine(), "--folds must be at least 2, got " + folds);
        }
        List<Utterance> all = new ArrayList<>();
        for (Path p : data) {
            all.addAll(UtteranceReader.read(p));
        }
        Set<String> local = new LinkedHashSet<>(localScenarios);
        Set<String> present = new LinkedHashSet<>();
        all.forEach(u -> present.add(u.scenario()));
        for (String s : local) {
            if (!present.contains(s)) {
                throw new ParameterException(spec.commandLine(), "no utterance of local scenario '" + s + "' in the data (scenarios: " + present + ")");
            }
        }
        if (local.containsAll(present)) {
            throw new ParameterException(spec.commandLine(), "every scenario is local: the model needs out-of-scope examples to learn where its scope ends");
        }
        TrainOptions base = TrainOptions.defaults(local);
        TrainOptions o = new TrainOptions(local, base.count(), buckets == null ? base.vocab() : buckets, base.dim(), base.hidden(), base.minN(), base.maxN(),
                epochs == null ? base.epochs() : epochs, base.learningRate(), base.batchSize(), seed, minOffload, maxWrongLocal, members == null ? base.members() : members);
        var err = spec.commandLine().getErr();
        CommandModelTraining.Result r = CommandModelTraining.run(all, o, folds, quiet ? s -> { } : err::println);
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        r.model().write(out);

        var w = spec.commandLine().getOut();
        List<Outcome> oof = r.outOfFold();
        w.println("cross-validated (" + folds + " folds, out-of-fold predictions):");
        w.print(Scores.table(oof));
        w.println("reliability of the calibrated confidence (temperature " + r.temperature() + "):");
        w.print(r.reliability());
        w.println("slots on in-scope utterances (lexicons learnt from the other folds):");
        w.print(slotScores(all, local, o.seed()).table());
        w.println("threshold trade-off (cross-validated):");
        for (float t : new java.util.TreeSet<>(List.of(0.3f, 0.5f, 0.7f, r.threshold(), 0.9f))) {
            w.printf(java.util.Locale.ROOT, "  threshold %.4f%s %s%n", t, t == r.threshold() ? " (chosen)" : "", r.at(t).fields());
        }
        w.println("local scenarios " + local + ": threshold " + r.threshold());
        w.println("cv " + r.crossValidated().fields() + " model_bytes=" + r.model().fileBytes());
        w.println("wrote " + out + " (" + r.model() + ")");
        return 0;
    }

    private SlotScores slotScores(List<Utterance> all, Set<String> local, long seed) {
        int[] fold = CrossValidation.folds(all, folds, seed);
        SlotScores s = new SlotScores();
        for (int f = 0; f < folds; f++) {
            List<Utterance> train = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                if (fold[i] != f && local.contains(all.get(i).scenario())) {
                    train.add(all.get(i));
                }
            }
            SlotExtractor ex = SlotExtractor.learn(train);
            for (int i = 0; i < all.size(); i++) {
                if (fold[i] == f && local.contains(all.get(i).scenario())) {
                    s.add(all.get(i), ex.extract(all.get(i).text()));
                }
            }
        }
        return s;
    }
}
