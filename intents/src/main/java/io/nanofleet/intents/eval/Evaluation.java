package io.nanofleet.intents.eval;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nanofleet.intents.data.Utterance;
import io.nanofleet.intents.model.CommandModel;
import io.nanofleet.intents.model.CommandPredictor;
import io.nanofleet.intents.model.Prediction;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Scores a shipped model on labelled text, the way the device would run it, and optionally writes its predictions. */
public final class Evaluation {
    /** Outcomes in input order, the predictions behind them, and the median time of one {@code predict}. */
    public record Result(List<Outcome> outcomes, List<Prediction> predictions, double medianPredictMicros, int modelBytes) {
        public Scores scores() {
            return Scores.of(outcomes);
        }

        /** The last line of {@code eval intents}. */
        public String overallLine() {
            return "overall " + scores().fields() + String.format(Locale.ROOT, " model_bytes=%d predict_us=%.2f",
                    modelBytes, medianPredictMicros);
        }
    }

    private Evaluation() {
    }

    public static Result run(CommandModel model, List<Utterance> data) {
        CommandPredictor p = model.predictor();
        // warm up the JIT first, so the median is of compiled code (JMH gives the careful figure)
        for (int i = 0; i < Math.min(20_000, data.size() * 4); i++) {
            p.predict(data.get(i % data.size()).text());
        }
        long[] nanos = new long[data.size()];
        List<Outcome> outcomes = new ArrayList<>(data.size());
        List<Prediction> predictions = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            Utterance u = data.get(i);
            long t0 = System.nanoTime();
            Prediction pr = p.predict(u.text());
            nanos[i] = System.nanoTime() - t0;
            predictions.add(pr);
            outcomes.add(new Outcome(u.scenario(), u.intent(), model.localScenarios().contains(u.scenario()),
                    pr.intent(), pr.confidence(), pr.local()));
        }
        Arrays.sort(nanos);
        double median = nanos.length == 0 ? Double.NaN : nanos[nanos.length / 2] / 1000.0;
        return new Result(outcomes, predictions, median, model.fileBytes());
    }

    /** One JSON line per input, in input order: text, decision, intent, confidence, slots. */
    public static void writePredictions(List<Utterance> data, List<Prediction> predictions, Writer out) throws IOException {
        ObjectMapper json = new ObjectMapper();
        json.getFactory().configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
        for (int i = 0; i < data.size(); i++) {
            Prediction p = predictions.get(i);
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("text", data.get(i).text());
            line.put("decision", p.decision().wire());
            line.put("intent", p.intent());
            line.put("confidence", Math.round(p.confidence() * 10000) / 10000.0);
            line.put("slots", new LinkedHashMap<>(p.slots()));
            out.write(json.writeValueAsString(line));
            out.write('\n');
        }
        out.flush();
    }
}
