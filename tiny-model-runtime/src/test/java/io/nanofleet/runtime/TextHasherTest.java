package io.nanofleet.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
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
}
