package io.nanofleet.intents.bench;

import io.nanofleet.intents.data.Utterance;
import io.nanofleet.intents.data.UtteranceReader;
import io.nanofleet.intents.eval.Calibration;
import io.nanofleet.intents.eval.CrossValidation;
import io.nanofleet.intents.eval.Scores;
import io.nanofleet.intents.model.TrainOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Scratch: cross-validated figures for one setting (args: count vocab dim hidden minN maxN epochs lr). */
public final class Explore {
    public static void main(String[] a) throws Exception {
        List<Utterance> data = new ArrayList<>(UtteranceReader.read(Path.of("../shared/data/hwu64/train.jsonl")));
        data.addAll(UtteranceReader.read(Path.of("../shared/data/slurp/devel.jsonl")));
        Path agent = Path.of("intents/src/main/resources/io/nanofleet/intents/agent-commands.jsonl");
        Set<String> local = Files.exists(agent) ? Set.of("iot", "agent") : Set.of("iot");
        if (Files.exists(agent)) {
            data.addAll(UtteranceReader.read(agent));
        }
        TrainOptions o = TrainOptions.defaults(local).withShape(Integer.parseInt(a[0]), Integer.parseInt(a[1]), Integer.parseInt(a[2]),
                Integer.parseInt(a[3]), Integer.parseInt(a[4]), Integer.parseInt(a[5])).withEpochs(Integer.parseInt(a[6]))
                .withLearningRate(Float.parseFloat(a[7])).withAugment(a.length > 8 ? Integer.parseInt(a[8]) : 0);
        CrossValidation.Result cv = CrossValidation.run(data, o, 5, System.err::println);
        float t = Calibration.temperature(cv.logits(), CrossValidation.gold(cv));
        for (double off : new double[]{0.99, 0.995, 0.997}) {
            float th = CrossValidation.threshold(cv, local, t, off, 0.02);
            System.out.println(String.join(" ", a) + " T=" + t + " minOff=" + off + " th=" + th + " "
                    + Scores.of(CrossValidation.outcomes(cv, local, t, th)).fields());
        }
        float th = CrossValidation.threshold(cv, local, t, 0.99, 0.02);
        var oc = CrossValidation.outcomes(cv, local, t, th);
        System.out.println(Scores.table(oc));
        var iot = new ArrayList<io.nanofleet.intents.eval.Outcome>();
        java.util.Map<String, Integer> conf = new java.util.TreeMap<>();
        for (var x : oc) {
            if (!x.scenario().equals("agent")) iot.add(x);
            if (x.local() && !x.correct()) conf.merge(x.intent() + " -> " + x.predicted(), 1, Integer::sum);
        }
        System.out.println("without agent: " + Scores.of(iot).fields());
        conf.entrySet().stream().sorted((p, q) -> q.getValue() - p.getValue()).limit(25).forEach(System.out::println);
        for (float tt = 0.3f; tt < 1f; tt += 0.05f) System.out.println("th=" + tt + " " + Scores.of(CrossValidation.outcomes(cv, local, t, tt)).fields());
    }
}
