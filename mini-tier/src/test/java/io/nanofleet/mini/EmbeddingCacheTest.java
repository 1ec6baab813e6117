package io.nanofleet.mini;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingCacheTest {
    @TempDir
    Path dir;

    @Test
    void storesOnceAndReadsBack() throws Exception {
        List<String> texts = List.of("which devices are offline", "how is the rollout going");
        EmbeddingCache cache = new EmbeddingCache(dir);
        try (Embedder e = Embedder.create(1)) {
            float[][] first = cache.embedAll(e, texts, d -> { });
            Path file = dir.resolve(EmbeddingCache.key(texts) + ".f32");
            assertEquals(12 + 2 * 384 * 4, Files.size(file), "header and floats");
            AtomicInteger calls = new AtomicInteger();
            float[][] again = cache.embedAll(e, texts, d -> calls.incrementAndGet());
            assertEquals(1, calls.get(), "read back: one progress call, no embedding");
            for (int i = 0; i < texts.size(); i++) {
                assertArrayEquals(first[i], again[i]);
            }
            // a damaged file is ignored and rewritten
            Files.write(file, new byte[] {1, 2, 3});
            float[][] rebuilt = cache.embedAll(e, texts, d -> { });
            assertArrayEquals(first[1], rebuilt[1]);
        }
    }

    @Test
    void keyDependsOnTextsAndOrder() {
        assertNotEquals(EmbeddingCache.key(List.of("a", "b")), EmbeddingCache.key(List.of("b", "a")));
        assertNotEquals(EmbeddingCache.key(List.of("a b")), EmbeddingCache.key(List.of("a", "b")));
        assertEquals(EmbeddingCache.key(List.of("a", "b")), EmbeddingCache.key(List.of("a", "b")));
    }
}
