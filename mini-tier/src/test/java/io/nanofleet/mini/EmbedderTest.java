package io.nanofleet.mini;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs the real model from the langchain4j jar: nothing is downloaded (the build runs without network). */
class EmbedderTest {
    static Embedder embedder;

    @BeforeAll
    static void load() {
        embedder = Embedder.create(2);
    }

    @AfterAll
    static void close() {
        embedder.close();
    }

    @Test
    void keepsTheTokenizerLibraryOffline() {
        assertEquals("true", System.getProperty("ai.djl.offline"));
        assertEquals("true", System.getProperty("OPT_OUT_TRACKING"));
    }

    @Test
    void givesUnitVectorsOf384() {
        float[] v = embedder.embed("which devices are offline");
        assertEquals(Embedder.DIMENSION, v.length);
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        assertEquals(1.0, Math.sqrt(norm), 1e-4);
    }

    @Test
    void placesParaphrasesCloserThanOtherTopics() {
        float[] a = embedder.embed("which devices are offline");
        float[] b = embedder.embed("what devices are not reporting");
        float[] c = embedder.embed("play some jazz music");
        assertTrue(Embedder.cosine(a, b) > Embedder.cosine(a, c) + 0.3,
                Embedder.cosine(a, b) + " vs " + Embedder.cosine(a, c));
    }

    @Test
    void batchEqualsOneByOneAndKeepsOrder() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            texts.add("show anomalies of pump-" + i + " in the last " + (i + 1) + " hours");
        }
        List<Integer> progress = new ArrayList<>();
        float[][] batch = embedder.embedAll(texts, progress::add);
        for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(embedder.embed(texts.get(i)), batch[i], 1e-6f, texts.get(i));
        }
        assertEquals(24, progress.get(progress.size() - 1));
    }

    @Test
    void isSafeFromManyThreads() throws Exception {
        String[] texts = {"latest readings from gw-berlin-2", "how is the rollout going", "set an alarm for seven",
            "what model does pump-07 run"};
        float[][] want = new float[texts.length][];
        for (int i = 0; i < texts.length; i++) {
            want[i] = embedder.embed(texts[i]);
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> jobs = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int k = t % texts.length;
                jobs.add(pool.submit(() -> java.util.Arrays.equals(want[k], embedder.embed(texts[k]))));
            }
            for (Future<Boolean> f : jobs) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void refusesBlankText() {
        assertThrows(IllegalArgumentException.class, () -> embedder.embed("  "));
        assertThrows(IllegalArgumentException.class, () -> Embedder.create(0));
    }
}
