package io.nanofleet.intents.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads JSON-lines datasets: HWU64 ({@code text}, {@code annotation}) and SLURP ({@code sentence},
 * {@code sentence_annotation}), both with {@code scenario} and {@code intent}. Blank lines are skipped; any
 * other bad line fails the whole read with its line number, because a silently shorter training set is a
 * worse model nobody can explain.
 */
public final class UtteranceReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private UtteranceReader() {
    }

    /** Labelled lines: text, scenario and intent are required. */
    public static List<Utterance> read(Path file) throws DatasetException {
        return read(file, true);
    }

    /** @param labelled when false, lines without scenario/intent are accepted (labels become empty strings) */
    public static List<Utterance> read(Path file, boolean labelled) throws DatasetException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), labelled);
        } catch (NoSuchFileException e) {
            throw new DatasetException(file + ": no such file");
        } catch (IOException e) {
            throw new DatasetException(file + ": " + e.getMessage(), e);
        }
    }

    public static List<Utterance> read(InputStream in, String name, boolean labelled) throws DatasetException, IOException {
        List<Utterance> out = new ArrayList<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        int no = 0;
        while ((line = r.readLine()) != null) {
            no++;
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(parse(line, labelled));
            } catch (IOException | IllegalArgumentException e) {
                throw new DatasetException(name + ":" + no + ": " + e.getMessage());
            }
        }
        if (out.isEmpty()) {
            throw new DatasetException(name + ": no utterances (expected JSON lines with 'text' or 'sentence')");
        }
        return out;
    }

    static Utterance parse(String line, boolean labelled) throws IOException {
        JsonNode n = JSON.readTree(line);
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        String text = field(n, "text", "sentence");
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("no 'text' or 'sentence'");
        }
        String scenario = field(n, "scenario");
        String intent = field(n, "intent");
        if (labelled && (scenario == null || intent == null || scenario.isBlank() || intent.isBlank())) {
            throw new IllegalArgumentException("no 'scenario' and 'intent' labels");
        }
        scenario = scenario == null ? "" : scenario;
        intent = intent == null ? "" : normalizeIntent(scenario, intent);
        String annotation = field(n, "annotation", "sentence_annotation");
        List<Utterance.Slot> slots = annotation == null ? List.of() : Annotations.parse(annotation);
        return new Utterance(text, scenario, intent, slots);
    }

    /** SLURP labels a few utterances with the bare action ({@code cleaning}); HWU64 always writes {@code iot_cleaning}. */
    static String normalizeIntent(String scenario, String intent) {
        if (scenario.isEmpty() || intent.startsWith(scenario + "_")) {
            return intent;
        }
        return scenario + "_" + intent;
    }

    private static String field(JsonNode n, String... names) {
        for (String name : names) {
            JsonNode v = n.get(name);
            if (v != null && !v.isNull()) {
                if (!v.isTextual()) {
                    throw new IllegalArgumentException("'" + name + "' is not a string");
                }
                return v.asText();
            }
        }
        return null;
    }
}
