package io.nanofleet.cli.model;

import io.nanofleet.intents.data.Utterance;
import io.nanofleet.intents.data.UtteranceReader;
import io.nanofleet.intents.eval.Evaluation;
import io.nanofleet.intents.eval.Scores;
import io.nanofleet.intents.eval.SlotScores;
import io.nanofleet.intents.model.CommandModel;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code eval intents}: the command model on labelled text, as the device runs it. */
@Command(name = "intents", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Score a command model on labelled JSON lines (text or sentence; intent and scenario).",
                "Prints a table per scenario and a last line: overall n in_scope local_correct oos_offloaded wrong_local "
                + "intent_acc model_bytes predict_us (median of one prediction here, tokenizing included; JMH gives the "
                + "careful figure)."})
public final class EvalIntentsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "Command model file (from 'train intents').")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE.jsonl", description = "Labelled utterances to score.")
    Path data;

    @Option(names = "--predictions", paramLabel = "OUT.jsonl",
            description = "Also write one JSON line per input, in input order: text, decision, intent, confidence, slots.")
    Path predictions;

    @Override
    public Integer call() throws Exception {
        CommandModel m = CommandModel.read(model);
        var utterances = UtteranceReader.read(data);
        Evaluation.Result r = Evaluation.run(m, utterances);
        if (predictions != null) {
            Path parent = predictions.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (Writer w = Files.newBufferedWriter(predictions, StandardCharsets.UTF_8)) {
                Evaluation.writePredictions(utterances, r.predictions(), w);
            }
        }
        var out = spec.commandLine().getOut();
        out.print(Scores.table(r.outcomes()));
        SlotScores slots = SlotScores.of(utterances, m.slots(), m.localScenarios());
        out.print(slots.table());
        out.println(r.overallLine());
        return 0;
    }
}
