package io.nanofleet.runtime;

/**
 * Turns text into the fixed-length id input of an {@link ModelBuilder#embeddingBag} layer: lower-cased
 * word unigrams and bigrams and, when asked, character n-grams of each word (fastText style, with {@code <}
 * and {@code >} marking the word's ends), hashed (FNV-1a, 32-bit, over UTF-8) into buckets 1..vocab-1.
 * Bucket 0 is padding for short texts, so the model can learn to ignore it. Deterministic across JVMs and
 * platforms.
 *
 * <p>Words are maximal runs of letters and numbers. All word features come first, then the character
 * n-grams, so that when a long text has more features than {@code count} it is the n-grams of its last
 * words that are dropped, not its words. {@link #hash(CharSequence, float[])} allocates nothing: a device
 * answers commands in microseconds, and garbage there is latency later.
 */
public final class TextHasher {
    private static final int FNV_OFFSET = 0x811C9DC5;
    private static final int FNV_PRIME = 0x01000193;
    /** Fed before a character n-gram, so "ght" the n-gram and "ght" the word land in different buckets. */
    private static final int NGRAM_TAG = 0x01;
    /** Longest text considered; the rest is ignored (commands are short, and the word table is fixed). */
    public static final int MAX_WORDS = 64;

    private final int count;
    private final int vocab;
    private final int minN;
    private final int maxN;
    private final int[] starts = new int[MAX_WORDS];
    private final int[] ends = new int[MAX_WORDS];

    /** Word unigrams and bigrams only. */
    public TextHasher(int count, int vocab) {
        this(count, vocab, 0, 0);
    }

    /**
     * Word unigrams and bigrams plus character n-grams of {@code minN..maxN} characters ({@code 0, 0}: none).
     * Not thread-safe: it keeps the word offsets of the text being hashed; use one per thread.
     */
    public TextHasher(int count, int vocab, int minN, int maxN) {
        if (count <= 0 || vocab < 2) {
            throw new IllegalArgumentException("need count > 0 and vocab >= 2, got " + count + ", " + vocab);
        }
        if (minN < 0 || maxN < minN || (minN == 0 && maxN != 0) || maxN > 16) {
            throw new IllegalArgumentException("character n-gram sizes must be 0,0 (none) or 1 <= min <= max <= 16, got " + minN + ", " + maxN);
        }
        this.count = count;
        this.vocab = vocab;
        this.minN = minN;
        this.maxN = maxN;
    }

    public int count() {
        return count;
    }

    public int vocab() {
        return vocab;
    }

    public int minN() {
        return minN;
    }

    public int maxN() {
        return maxN;
    }

    /** Writes {@code count} ids into {@code dst} (e.g. {@code interpreter.input()}); extra features are dropped. */
    public float[] hash(CharSequence text, float[] dst) {
        if (dst.length < count) {
            throw new IllegalArgumentException("destination holds " + dst.length + " ids, need " + count);
        }
        int words = splitWords(text);
        int n = 0;
        for (int w = 0; w < words && n < count; w++) {
            dst[n++] = bucket(wordHash(text, w, FNV_OFFSET));
            if (w > 0 && n < count) {
                int h = wordHash(text, w - 1, FNV_OFFSET);
                h = (h ^ ' ') * FNV_PRIME;
                dst[n++] = bucket(wordHash(text, w, h));
            }
        }
        if (minN > 0) {
            for (int w = 0; w < words && n < count; w++) {
                // the word with its end markers: '<' + chars + '>'
                int len = ends[w] - starts[w] + 2;
                for (int size = minN; size <= maxN && n < count; size++) {
                    if (size >= len) {
                        break; // as long as the marked word: that is the word itself, already a feature
                    }
                    for (int from = 0; from + size <= len && n < count; from++) {
                        int h = (FNV_OFFSET ^ NGRAM_TAG) * FNV_PRIME;
                        for (int k = from; k < from + size; k++) {
                            h = feed(h, markedChar(text, w, k, len));
                        }
                        dst[n++] = bucket(h);
                    }
                }
            }
        }
        for (int i = n; i < count; i++) {
            dst[i] = 0f;
        }
        return dst;
    }

    public float[] hash(CharSequence text) {
        return hash(text, new float[count]);
    }

    private int splitWords(CharSequence text) {
        int words = 0;
        int i = 0;
        int len = text.length();
        while (i < len && words < MAX_WORDS) {
            while (i < len && !isWordChar(text.charAt(i))) {
                i++;
            }
            if (i == len) {
                break;
            }
            starts[words] = i;
            while (i < len && isWordChar(text.charAt(i))) {
                i++;
            }
            ends[words++] = i;
        }
        return words;
    }

    private static boolean isWordChar(char c) {
        if (Character.isLetter(c)) {
            return true;
        }
        int type = Character.getType(c);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER;
    }

    private char markedChar(CharSequence text, int w, int k, int len) {
        if (k == 0) {
            return '<';
        }
        if (k == len - 1) {
            return '>';
        }
        return Character.toLowerCase(text.charAt(starts[w] + k - 1));
    }

    private int wordHash(CharSequence text, int w, int h) {
        for (int i = starts[w]; i < ends[w]; i++) {
            h = feed(h, Character.toLowerCase(text.charAt(i)));
        }
        return h;
    }

    /** FNV-1a over the UTF-8 encoding of one UTF-16 unit (a lone surrogate counts as its 3-byte form). */
    private static int feed(int h, char c) {
        if (c < 0x80) {
            return (h ^ c) * FNV_PRIME;
        }
        if (c < 0x800) {
            h = (h ^ (0xC0 | (c >> 6))) * FNV_PRIME;
            return (h ^ (0x80 | (c & 0x3F))) * FNV_PRIME;
        }
        h = (h ^ (0xE0 | (c >> 12))) * FNV_PRIME;
        h = (h ^ (0x80 | ((c >> 6) & 0x3F))) * FNV_PRIME;
        return (h ^ (0x80 | (c & 0x3F))) * FNV_PRIME;
    }

    private int bucket(int h) {
        return 1 + Integer.remainderUnsigned(h, vocab - 1);
    }
}
