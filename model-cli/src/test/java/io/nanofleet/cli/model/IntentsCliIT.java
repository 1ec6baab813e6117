package io.nanofleet.cli.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command model's CLI as a user runs it: {@code train intents} on the public data reproduces the model
 * NanoFleet ships byte for byte and prints the cross-validated figures; {@code eval intents} prints the
 * per-scenario table and the overall line, and writes predictions in input order.
 */
class IntentsCliIT {
    static final Path AGENT_COMMANDS = Path.of("..", "intents", "src", "main", "resources", "io", "nanofleet", "intents", "agent-commands.jsonl");
    static final Path BUNDLED = Path.of("..", "intents", "src", "main", "resources", "io", "nanofleet", "intents", "command-model.nfm");
    static final Pattern CV = Pattern.compile("cv n=\\d+ in_scope=\\d+ local_correct=0\\.\\d{4} oos_offloaded=[01]\\.\\d{4} "
            + "wrong_local=0\\.\\d{4} intent_acc=0\\.\\d{4} model_bytes=\\d+");
    static final Pattern OVERALL = Pattern.compile("overall n=(\\d+) in_scope=(\\d+) local_correct=0\\.\\d{4} oos_offloaded=[01]\\.\\d{4} "
            + "wrong_local=0\\.\\d{4} intent_acc=[01]\\.\\d{4} model_bytes=(\\d+) predict_us=\\d+\\.\\d{2}");

    static Path data(String relative) {
        Path root = TestData.dataRoot();
        Path p = root == null ? null : root.resolve(relative);
        assumeTrue(p != null && Files.isRegularFile(p), "shared/data/" + relative + " not found: skipping. Set NANOFLEET_DATA=/path/to/shared/data to run it.");
        return p;
    }

    @Test
    void trainReproducesTheShippedModelAndEvalScoresIt(@TempDir Path tmp) throws Exception {
        Path hwu = data("hwu64/train.jsonl");
        Path slurp = data("slurp/devel.jsonl");
        Path model = tmp.resolve("cmd.nfm");
        LauncherIT.Result train = LauncherIT.launch(900, "train", "intents", "--data", hwu.toString(), "--data", slurp.toString(),
                "--data", AGENT_COMMANDS.toString(), "--local-scenarios", "iot,agent", "--out", model.toString());
        assertEquals(0, train.code(), train.err());
        assertTrue(train.err().contains("fold 5/5"), "progress goes to stderr: " + train.err());
        assertTrue(CV.matcher(train.out()).find(), train.out());
        assertTrue(train.out().contains("slot_f1="), train.out());
        assertTrue(train.out().contains("ece="), "reliability of the calibrated confidence: " + train.out());
        assertArrayEquals(Files.readAllBytes(BUNDLED), Files.readAllBytes(model),
                "the shipped model is exactly what the documented command trains; retrain it with the intents README's command");

        Path preds = tmp.resolve("out").resolve("p.jsonl");
        LauncherIT.Result eval = LauncherIT.launch(300, "eval", "intents", "--model", model.toString(), "--data", slurp.toString(),
                "--predictions", preds.toString());
        assertEquals(0, eval.code(), eval.err());
        String[] lines = eval.out().strip().split("\n");
        var m = OVERALL.matcher(lines[lines.length - 1]);
        assertTrue(m.matches(), lines[lines.length - 1]);
        List<String> input = Files.readAllLines(slurp);
        assertEquals(input.size(), Integer.parseInt(m.group(1)));
        assertEquals(Files.size(model), Long.parseLong(m.group(3)));
        assertTrue(eval.out().contains("iot ") && eval.out().contains("local"), eval.out());
        List<String> out = Files.readAllLines(preds);
        assertEquals(input.size(), out.size(), "one prediction per input line");
        ObjectMapper json = new ObjectMapper();
        for (int i : new int[]{0, input.size() / 2, input.size() - 1}) {
            JsonNode p = json.readTree(out.get(i));
            assertEquals(json.readTree(input.get(i)).get("sentence").asText(), p.get("text").asText(), "input order, line " + i);
            assertTrue(p.get("decision").asText().matches("local|offload"), out.get(i));
            assertTrue(p.get("confidence").isNumber() && p.get("slots").isObject() && p.get("intent").isTextual(), out.get(i));
        }
    }

    @Test
    void usageAndInputErrors(@TempDir Path tmp) throws Exception {
        assertEquals(2, LauncherIT.launch("train", "intents", "--data", "x.jsonl", "--out", "y.nfm").code(), "--local-scenarios is required");
        Path tiny = tmp.resolve("tiny.jsonl");
        Files.writeString(tiny, "{\"text\": \"turn on the lights\", \"scenario\": \"iot\", \"intent\": \"iot_hue_lighton\"}\n"
                + "{\"text\": \"play jazz\", \"scenario\": \"play\", \"intent\": \"play_music\"}\n");
        LauncherIT.Result r = LauncherIT.launch("train", "intents", "--data", tiny.toString(), "--local-scenarios", "kitchen", "--out", tmp.resolve("m.nfm").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no utterance of local scenario 'kitchen'"), r.err());
        Files.writeString(tiny, "{\"text\": \"turn on the lights\"}\n");
        r = LauncherIT.launch("train", "intents", "--data", tiny.toString(), "--local-scenarios", "iot", "--out", tmp.resolve("m.nfm").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("tiny.jsonl:1: no 'scenario' and 'intent' labels"), r.err());
        r = LauncherIT.launch("eval", "intents", "--model", tmp.resolve("missing.nfm").toString(), "--data", tiny.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: "), r.err());
    }
}
