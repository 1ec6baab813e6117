package io.nanofleet.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class TextHasherTest {
    @Test
    void hashesWordsAndBigramsIntoNonPaddingBucketsAndPads() {
        TextHasher h = new TextHasher(12, 256);
        float[] ids = h.hash("Open the VALVE, now!");
        // open, the, "open the", valve, "the valve", now, "valve now" = 7 features, then padding
        for (int i = 0; i < 7; i++) {
            assertTrue(ids[i] >= 1 && ids[i] < 256, "feature " + i + " = " + ids[i]);
        }
        for (int i = 7; i < 12; i++) {
            assertEquals(0f, ids[i]);
        }
        assertArrayEquals(ids, h.hash("open the valve now"), "case and punctuation do not matter");
        assertFalse(Arrays.equals(ids, h.hash("close the valve now")));
    }

    @Test
    void feedsAnEmbeddingBagModel() {
        TextHasher h = new TextHasher(12, 256);
        Interpreter it = new Interpreter(TestModels.textClassifier(1));
        h.hash("status of pump two", it.input());
        it.run();
        float sum = 0;
        for (float p : it.output()) {
            sum += p;
        }
        assertEquals(1f, sum, 1e-5f);
        assertThrows(IllegalArgumentException.class, () -> new TextHasher(0, 10));
        assertThrows(IllegalArgumentException.class, () -> h.hash("x", new float[3]));
    }

    /** The hasher before it went allocation-free: String.split, concatenation, getBytes. */
    private static float[] reference(String text, int count, int vocab) {
        float[] dst = new float[count];
        int n = 0;
        String prev = null;
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (w.isEmpty()) {
                continue;
            }
            if (n < count) {
                dst[n++] = bucket(w, vocab);
            }
            if (prev != null && n < count) {
                dst[n++] = bucket(prev + ' ' + w, vocab);
            }
            prev = w;
        }
        return dst;
    }

    private static int bucket(String f, int vocab) {
        int h = 0x811C9DC5;
        for (byte b : f.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x01000193;
        }
        return 1 + Integer.remainderUnsigned(h, vocab - 1);
    }

    @Test
    void wordFeaturesAreTheSameAsBeforeSoExistingModelsStillRead() {
        TextHasher h = new TextHasher(24, 4096);
        for (String t : new String[]{"Open the VALVE, now!", "  café au lait s'il vous plaît ", "pump 2 at 45.5%", "", "straße Ärger"}) {
            assertArrayEquals(reference(t, 24, 4096), h.hash(t), t);
        }
    }

    @Test
    void characterNgramsComeAfterAllWordFeatures() {
        TextHasher words = new TextHasher(40, 4096);
        TextHasher grams = new TextHasher(40, 4096, 3, 3);
        float[] w = words.hash("dim lights");
        float[] g = grams.hash("dim lights");
        // dim, lights, "dim lights" = 3 word features; then <di dim im> (3) and <li lig igh ght hts ts> (6)
        assertArrayEquals(Arrays.copyOf(w, 3), Arrays.copyOf(g, 3));
        for (int i = 3; i < 12; i++) {
            assertTrue(g[i] >= 1, "n-gram " + i);
        }
        assertEquals(0f, g[12], "padding after the last n-gram");
        assertFalse(Arrays.equals(grams.hash("dim lihgts"), g), "a typo changes some n-grams");
        int shared = 0;
        float[] typo = grams.hash("dim lihgts");
        for (int i = 0; i < 12; i++) {
            for (int j = 0; j < 12; j++) {
                if (g[i] == typo[j]) {
                    shared++;
                    break;
                }
            }
        }
        assertTrue(shared >= 4, "a typo keeps most n-grams (shared " + shared + ")");
        assertThrows(IllegalArgumentException.class, () -> new TextHasher(10, 10, 3, 2));
        assertThrows(IllegalArgumentException.class, () -> new TextHasher(10, 10, 0, 3));
    }

    @Test
    void hashingAllocatesNothing() {
        TextHasher h = new TextHasher(160, 6144, 3, 5);
        float[] dst = new float[160];
        String text = "could you please turn the living room lights to fifty percent";
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++) {
            h.hash(text, dst);
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 10_000; i++) {
            h.hash(text, dst);
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1024, "10k hashes allocated " + allocated + " bytes");
    }
}
