package io.nanofleet.intents.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class UtteranceReaderTest {
    private static List<Utterance> read(String text) throws Exception {
        return UtteranceReader.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "test.jsonl", true);
    }

    @Test
    void readsHwu64AndSlurpLines() throws Exception {
        List<Utterance> u = read("""
                {"id": "1", "text": "turn on the kitchen lights", "scenario": "iot", "intent": "iot_hue_lighton", "annotation": "turn on the [house_place : kitchen] lights"}

                {"slurp_id": 7, "sentence": "start the robot", "sentence_annotation": "start the [device_type : robot]", "intent": "cleaning", "scenario": "iot"}
                """);
        assertEquals(2, u.size(), "blank lines are skipped");
        assertEquals("turn on the kitchen lights", u.get(0).text());
        assertEquals(List.of(new Utterance.Slot("house_place", "kitchen")), u.get(0).slots());
        assertEquals("start the robot", u.get(1).text());
        assertEquals("iot_cleaning", u.get(1).intent(), "SLURP's bare action gets its scenario prefix, like HWU64 writes it");
        assertEquals(List.of(new Utterance.Slot("device_type", "robot")), u.get(1).slots());
    }

    @Test
    void badLinesFailWithTheirLineNumber() {
        DatasetException e = assertThrows(DatasetException.class, () -> read("{\"text\": \"a\", \"scenario\": \"x\", \"intent\": \"x_a\"}\n{\"text\": \"b\"}\n"));
        assertTrue(e.getMessage().startsWith("test.jsonl:2: "), e.getMessage());
        assertTrue(e.getMessage().contains("scenario"), e.getMessage());
        e = assertThrows(DatasetException.class, () -> read("not json\n"));
        assertTrue(e.getMessage().startsWith("test.jsonl:1: "), e.getMessage());
        e = assertThrows(DatasetException.class, () -> read("{\"text\": 5, \"scenario\": \"x\", \"intent\": \"y\"}\n"));
        assertTrue(e.getMessage().contains("'text' is not a string"), e.getMessage());
        e = assertThrows(DatasetException.class, () -> read("{\"text\": \"a [b\", \"annotation\": \"a [b\", \"scenario\": \"x\", \"intent\": \"y\"}\n"));
        assertTrue(e.getMessage().contains("unclosed"), e.getMessage());
        e = assertThrows(DatasetException.class, () -> read("\n\n"));
        assertTrue(e.getMessage().contains("no utterances"), e.getMessage());
        e = assertThrows(DatasetException.class, () -> UtteranceReader.read(Path.of("does/not/exist.jsonl")));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void unlabelledTextCanBeReadForPrediction() throws Exception {
        List<Utterance> u = UtteranceReader.read(new ByteArrayInputStream("{\"text\": \"hello\"}\n".getBytes(StandardCharsets.UTF_8)), "x", false);
        assertEquals("", u.get(0).intent());
    }
}
