package io.nanofleet.intents.slots;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.intents.data.Annotations;
import io.nanofleet.intents.data.Utterance;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlotExtractorTest {
    private static Utterance annotated(String annotation) {
        return new Utterance(annotation.replaceAll("\\[\\w+ : ([^\\]]+)\\]", "$1"), "iot", "iot_x", Annotations.parse(annotation));
    }

    private final SlotExtractor ex = SlotExtractor.learn(List.of(
            annotated("turn on the [house_place : living room] [device_type : lamp]"),
            annotated("make the [house_place : room] [color_type : cooler tone]"),
            annotated("start the [device_type : robot vacuum cleaner]"),
            annotated("brew a [coffee_type : cappuccino]")));

    @Test
    void findsLexiconPhrasesLongestFirst() {
        assertEquals(Map.of("house_place", "living room", "device_type", "lamp"), ex.extract("Turn the living room lamp off"));
        assertEquals("robot vacuum cleaner", ex.extract("please start the robot vacuum cleaner now").get("device_type"));
        assertEquals("cooler tone", ex.extract("a cooler tone in here").get("color_type"));
        assertEquals("blue", ex.extract("make it blue").get("color_type"), "common colours are built in");
        assertEquals(Map.of(), ex.extract("what is the weather"));
    }

    @Test
    void numbersDurationsAndPercentages() {
        assertEquals(Map.of("duration", "ten minutes"), ex.extract("mute the alarms for ten minutes"));
        assertEquals(Map.of("duration", "30 s"), ex.extract("report every 30s"));
        assertEquals(Map.of("duration", "half an hour"), ex.extract("silence alerts for half an hour"));
        assertEquals(Map.of("duration", "an hour and a half"), ex.extract("mute for an hour and a half"));
        assertEquals(Map.of("percentage", "fifty percent"), ex.extract("dim to fifty percent"));
        assertEquals(Map.of("percentage", "40 percent"), ex.extract("set the lights to 40%"));
        assertEquals(Map.of("number", "twenty five"), ex.extract("show the last twenty five anomalies"));
        assertEquals(Map.of("time", "seven am"), ex.extract("coffee at seven am"));
    }

    @Test
    void durationsAndNumbersParse() {
        assertEquals(600, Durations.seconds("ten minutes"));
        assertEquals(7200, Durations.seconds("2 hours"));
        assertEquals(30, Durations.seconds("30s"));
        assertEquals(1800, Durations.seconds("half an hour"));
        assertEquals(5400, Durations.seconds("an hour and a half"));
        assertEquals(90, Durations.seconds("1.5 min"));
        assertEquals(-1, Durations.seconds("the kitchen"));
        assertEquals(-1, Durations.seconds("ten"));
        assertEquals(25.0, NumberWords.parse("twenty five"));
        assertEquals(300.0, NumberWords.parse("three hundred"));
        assertEquals(12.0, NumberWords.parse("12"));
        assertTrue(Double.isNaN(NumberWords.parse("lights")));
    }

    @Test
    void lexiconsTravelInModelProperties() {
        SlotExtractor back = SlotExtractor.fromProperties(ex.toProperties());
        assertEquals(ex.toProperties(), back.toProperties());
        assertEquals(ex.extract("turn on the living room lamp"), back.extract("turn on the living room lamp"));
    }
}
