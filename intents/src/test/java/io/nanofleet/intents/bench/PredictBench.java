package io.nanofleet.intents.bench;

import io.nanofleet.intents.data.Utterance;
import io.nanofleet.intents.data.UtteranceReader;
import io.nanofleet.intents.model.CommandModel;
import io.nanofleet.intents.model.CommandPredictor;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One prediction of the shipped command model, tokenizing and hashing included, over SLURP devel's
 * sentences in turn (the agent's own commands when the shared data is absent). {@code classify} is the
 * device's hot path (intent, confidence, decision); {@code predict} adds slots and the result record.
 * SampleTime gives the median; run with {@code -prof gc} for bytes allocated per call (see BENCHMARKS.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PredictBench {
    /** "shipped": the 3-member model devices run; "1": one member of the same shape, trained in setup, side by side. */
    @Param({"shipped", "1"})
    public String members;

    private CommandPredictor predictor;
    private String[] texts;
    private int next;

    @Setup
    public void setUp() throws Exception {
        Path slurp = Path.of("no-shared-data");
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("shared/data/slurp/devel.jsonl"))) {
                slurp = d.resolve("shared/data/slurp/devel.jsonl");
                break;
            }
        }
        List<Utterance> data;
        if (Files.isRegularFile(slurp)) {
            data = UtteranceReader.read(slurp);
        } else {
            try (InputStream in = CommandModel.class.getResourceAsStream("/io/nanofleet/intents/agent-commands.jsonl")) {
                data = UtteranceReader.read(in, "agent-commands.jsonl", true);
            }
        }
        texts = data.stream().map(Utterance::text).toArray(String[]::new);
        if (members.equals("shipped")) {
            predictor = CommandModel.bundled().predictor();
        } else {
            var o = io.nanofleet.intents.model.TrainOptions.defaults(java.util.Set.of("iot", "agent")).withMembers(Integer.parseInt(members));
            List<Utterance> train = new java.util.ArrayList<>(data);
            try (InputStream in = CommandModel.class.getResourceAsStream("/io/nanofleet/intents/agent-commands.jsonl")) {
                train.addAll(UtteranceReader.read(in, "agent-commands.jsonl", true));
            }
            predictor = new io.nanofleet.intents.model.IntentTrainer(o, s -> { })
                    .train(train, io.nanofleet.intents.model.IntentTrainer.labels(train), 1.4f, 0.675f).predictor();
        }
    }

    private String nextText() {
        String t = texts[next];
        next = next + 1 == texts.length ? 0 : next + 1;
        return t;
    }

    @Benchmark
    public int classify() {
        return predictor.classify(nextText()) + predictor.decision().ordinal();
    }

    @Benchmark
    public Object predict() {
        return predictor.predict(nextText());
    }
}
