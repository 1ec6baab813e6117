package io.nanofleet.mini;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Embeddings of a list of texts kept in a folder, keyed by the SHA-256 of the model id and the texts, so
 * a second cross-validation run skips the minute-long embedding pass. Meant for build output folders
 * ({@code target/}) only: the file is derived from the data set and is never committed. A file that does
 * not read back whole is ignored and rewritten.
 */
public final class EmbeddingCache {
    private static final int MAGIC = 0x4e464d45; // "NFME"

    private final Path dir;

    public EmbeddingCache(Path dir) {
        this.dir = dir;
    }

    /** The embeddings of {@code texts}, from the cache when present, else computed (with progress) and stored. */
    public float[][] embedAll(Embedder embedder, List<String> texts, IntConsumer progress) {
        Path file = dir.resolve(key(texts) + ".f32");
        float[][] cached = read(file, texts.size());
        if (cached != null) {
            progress.accept(texts.size());
            return cached;
        }
        float[][] v = embedder.embedAll(texts, progress);
        write(file, v);
        return v;
    }

    /** The file name a list of texts is stored under (without extension). */
    public static String key(List<String> texts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(Embedder.MODEL_ID.getBytes(StandardCharsets.UTF_8));
            for (String t : texts) {
                md.update((byte) '\n');
                md.update(t.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static float[][] read(Path file, int n) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (in.readInt() != MAGIC || in.readInt() != n || in.readInt() != Embedder.DIMENSION) {
                return null;
            }
            float[][] v = new float[n][Embedder.DIMENSION];
            for (float[] row : v) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = in.readFloat();
                }
            }
            return v;
        } catch (IOException e) {
            return null;
        }
    }

    private static void write(Path file, float[][] v) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), "emb", ".tmp");
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
                out.writeInt(MAGIC);
                out.writeInt(v.length);
                out.writeInt(Embedder.DIMENSION);
                for (float[] row : v) {
                    for (float x : row) {
                        out.writeFloat(x);
                    }
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write embedding cache " + file, e);
        }
    }
}
