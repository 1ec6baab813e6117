package io.nanofleet.runtime;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Turns text into the fixed-length id input of an {@link ModelBuilder#embeddingBag} layer: lower-cased
 * word unigrams and bigrams, hashed (FNV-1a, 32-bit) into buckets 1..vocab-1. Bucket 0 is padding for short
 * texts, so the model can learn to ignore it. Deterministic across JVMs and platforms.
 */
public final class TextHasher {
    private final int count;
    private final int vocab;

    public TextHasher(int count, int vocab) {
        if (count <= 0 || vocab < 2) {
            throw new IllegalArgumentException("need count > 0 and vocab >= 2, got " + count + ", " + vocab);
        }
        this.count = count;
        this.vocab = vocab;
    }

    /** Writes {@code count} ids into {@code dst} (e.g. {@code interpreter.input()}); extra features are dropped. */
    public float[] hash(String text, float[] dst) {
        if (dst.length < count) {
            throw new IllegalArgumentException("destination holds " + dst.length + " ids, need " + count);
        }
        String[] words = text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+");
        int n = 0;
        String prev = null;
        for (String w : words) {
            if (w.isEmpty()) {
                continue;
            }
            if (n < count) {
                dst[n++] = bucket(w);
            }
            if (prev != null && n < count) {
                dst[n++] = bucket(prev + ' ' + w);
            }
            prev = w;
        }
        for (int i = n; i < count; i++) {
            dst[i] = 0f;
        }
        return dst;
    }

    public float[] hash(String text) {
        return hash(text, new float[count]);
    }

    private int bucket(String feature) {
        int h = 0x811C9DC5;
        for (byte b : feature.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x01000193;
        }
        return 1 + Integer.remainderUnsigned(h, vocab - 1);
    }
}
