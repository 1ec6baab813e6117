package io.nanofleet.intents.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.intents.data.Utterance;
import io.nanofleet.intents.data.UtteranceReader;
import io.nanofleet.runtime.ModelFile;
import io.nanofleet.runtime.ModelFormatException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CommandModelTest {
    static List<Utterance> data;
    static CommandModel small;

    /** The agent's own commands plus a few out-of-scope lines: enough to train a real (small) model in a second. */
    static List<Utterance> smallData() throws Exception {
        List<Utterance> d = new ArrayList<>();
        try (InputStream in = CommandModel.class.getResourceAsStream("/io/nanofleet/intents/agent-commands.jsonl")) {
            d.addAll(UtteranceReader.read(in, "agent-commands.jsonl", true));
        }
        String[] weather = {"what is the weather like today", "will it rain tomorrow", "is it cold outside", "how hot will it be this weekend",
            "do i need an umbrella", "weather forecast for paris", "is it going to snow tonight", "what's the temperature in london"};
        String[] music = {"play some jazz", "play the next song", "put on my workout playlist", "who sings this song",
            "play music by the beatles", "skip this track", "shuffle my favourites", "play something relaxing"};
        for (String t : weather) {
            d.add(new Utterance(t, "weather", "weather_query", List.of()));
        }
        for (String t : music) {
            d.add(new Utterance(t, "play", "play_music", List.of()));
        }
        return d;
    }

    @BeforeAll
    static void train() throws Exception {
        data = smallData();
        small = new IntentTrainer(TrainOptions.defaults(Set.of("agent")).withEpochs(8), s -> { })
                .train(data, IntentTrainer.labels(data), 1.5f, 0.6f);
    }

    @Test
    void roundTripsThroughTheModelFile() throws Exception {
        byte[] bytes = small.toBytes();
        CommandModel back = CommandModel.fromBytes(bytes);
        assertArrayEquals(bytes, back.toBytes());
        assertEquals(small.intents(), back.intents());
        assertEquals(0.6f, back.threshold());
        assertEquals(1.5f, back.temperature());
        assertEquals(Set.of("agent"), back.localScenarios());
        assertEquals(small.slots().toProperties(), back.slots().toProperties());
        assertTrue(small.network().isQuantized(), "the shipped network is int8");
        assertEquals(CommandModel.KIND, ModelFile.fromBytes(bytes).metadata().kind());
    }

    @Test
    void sameDataAndSeedGiveTheSameBytes() throws Exception {
        CommandModel again = new IntentTrainer(TrainOptions.defaults(Set.of("agent")).withEpochs(8), s -> { })
                .train(data, IntentTrainer.labels(data), 1.5f, 0.6f);
        assertArrayEquals(small.toBytes(), again.toBytes());
    }

    @Test
    void answersInScopeLocallyAndOffloadsTheRest() {
        CommandPredictor p = small.predictor();
        Prediction mute = p.predict("please mute the anomaly alarms for ten minutes");
        assertEquals("agent_mute_alarms", mute.intent());
        assertEquals(Decision.LOCAL, mute.decision(), "confidence " + mute.confidence());
        assertEquals("ten minutes", mute.slots().get("duration"));
        Prediction weather = p.predict("will it rain in paris tomorrow");
        assertEquals(Decision.OFFLOAD, weather.decision());
        assertEquals(Set.of(), weather.slots().keySet(), "offloaded text is not parsed for slots");
    }

    @Test
    void theEnsembleAveragesItsMembers() throws Exception {
        assertEquals(3, small.network().graph().inputs().length, "three members by default");
        CommandPredictor p = small.predictor();
        float[] avg = p.logits("restart the gateway").clone();
        io.nanofleet.runtime.Interpreter it = new io.nanofleet.runtime.Interpreter(small.network());
        float[] sum = new float[avg.length];
        for (int m = 0; m < 3; m++) {
            small.newHasher(m).hash("restart the gateway", it.input(m));
        }
        it.run();
        for (int m = 0; m < 3; m++) {
            for (int i = 0; i < sum.length; i++) {
                sum[i] += it.output(m)[i] / 3;
            }
        }
        assertArrayEquals(sum, avg, 1e-5f);
        assertTrue(small.newHasher(0).vocab() != small.newHasher(1).vocab(), "members hash differently");
    }

    @Test
    void thresholdDecides() throws Exception {
        CommandPredictor strict = small.withCalibration(1.5f, 1.0f).predictor();
        strict.classify("please mute the anomaly alarms for ten minutes");
        assertTrue(strict.confidence() < 1.0f);
        assertEquals(Decision.OFFLOAD, strict.decision(), "below the threshold the device hands on even in scope");
        CommandPredictor open = small.withCalibration(1.5f, 0.0f).predictor();
        open.classify("please mute the anomaly alarms for ten minutes");
        assertEquals(Decision.LOCAL, open.decision());
        float sum = 0;
        for (float v : open.probabilities()) {
            sum += v;
        }
        assertEquals(1f, sum, 1e-4f);
    }

    @Test
    void refusesOtherModelsAndBrokenMetadata() throws Exception {
        var otherKind = small.network().withMetadata(small.network().metadata().toBuilder().kind("anomaly-autoencoder").build());
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> CommandModel.of(otherKind));
        assertTrue(e.getMessage().contains("not a command-model"), e.getMessage());
        var noThreshold = small.network().withMetadata(small.network().metadata().toBuilder().property("threshold", "high").build());
        e = assertThrows(ModelFormatException.class, () -> CommandModel.of(noThreshold));
        assertTrue(e.getMessage().contains("threshold"), e.getMessage());
        var badScope = small.network().withMetadata(small.network().metadata().toBuilder().property("threshold", "1.5").build());
        assertThrows(ModelFormatException.class, () -> CommandModel.of(badScope));
        var wrongMembers = small.network().withMetadata(small.network().metadata().toBuilder().property("members", "2").build());
        e = assertThrows(ModelFormatException.class, () -> CommandModel.of(wrongMembers));
        assertTrue(e.getMessage().contains("2 ensemble members but its network has 3 inputs"), e.getMessage());
        var wrongHasher = small.network().withMetadata(small.network().metadata().toBuilder().property("hasher.1.count", "7").build());
        e = assertThrows(ModelFormatException.class, () -> CommandModel.of(wrongHasher));
        assertTrue(e.getMessage().contains("member 1 reads 160 ids"), e.getMessage());
        byte[] bytes = small.toBytes();
        bytes[bytes.length / 2] ^= 1;
        assertThrows(ModelFormatException.class, () -> CommandModel.fromBytes(bytes), "the file hash catches a flipped bit");
    }

    @Test
    void classifyAllocatesNothingAfterWarmUp() {
        CommandPredictor p = small.predictor();
        String text = "set the reporting interval to thirty seconds please";
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++) {
            p.classify(text);
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 10_000; i++) {
            p.classify(text);
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1024, "10k predictions allocated " + allocated + " bytes");
    }

    @Test
    void theBundledModelLoadsAndAnswers() {
        CommandModel m = CommandModel.bundled();
        assertTrue(m.localScenarios().containsAll(Set.of("iot", "agent")), m.toString());
        assertTrue(m.fileBytes() <= 256 * 1024, m.fileBytes() + " bytes");
        CommandPredictor p = m.predictor();
        Prediction off = p.predict("turn off the kitchen lights");
        assertEquals("iot_hue_lightoff", off.intent());
        assertEquals(Decision.LOCAL, off.decision(), "confidence " + off.confidence());
        assertEquals("kitchen", off.slots().get("house_place"));
        assertEquals(Decision.OFFLOAD, p.predict("what is the capital of australia").decision());
        assertEquals(Decision.OFFLOAD, p.predict("remind me to call my mother tomorrow").decision());
    }
}
