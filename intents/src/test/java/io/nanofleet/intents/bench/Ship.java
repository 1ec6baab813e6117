package io.nanofleet.intents.bench;

import io.nanofleet.intents.data.Utterance;
import io.nanofleet.intents.data.UtteranceReader;
import io.nanofleet.intents.model.CommandModelTraining;
import io.nanofleet.intents.model.TrainOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Scratch: trains the bundled model with the defaults. */
public final class Ship {
    public static void main(String[] a) throws Exception {
        List<Utterance> data = new ArrayList<>(UtteranceReader.read(Path.of("../shared/data/hwu64/train.jsonl")));
        data.addAll(UtteranceReader.read(Path.of("../shared/data/slurp/devel.jsonl")));
        data.addAll(UtteranceReader.read(Path.of("intents/src/main/resources/io/nanofleet/intents/agent-commands.jsonl")));
        var r = CommandModelTraining.run(data, TrainOptions.defaults(Set.of("iot", "agent")), 5, System.err::println);
        System.out.println(r.crossValidated().fields());
        r.model().write(Path.of(a[0]));
        System.out.println(r.model() + " bytes=" + r.model().fileBytes());
    }
}
