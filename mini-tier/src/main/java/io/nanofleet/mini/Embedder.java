package io.nanofleet.mini;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Sentence embeddings from all-MiniLM-L6-v2 (int8-quantized ONNX, 384 dimensions, mean-pooled and
 * L2-normalized), run in the JVM by ONNX Runtime. The model file and its tokenizer ship inside the
 * langchain4j jar, so nothing is downloaded: see {@link #offline()} for the one place the libraries
 * would otherwise reach out to the network.
 *
 * <p>Thread-safe: ONNX Runtime sessions and the tokenizer may be used from many threads, and the model is
 * loaded once per JVM (the first {@code Embedder} pays ~1 s for it). {@link #embedAll} spreads a batch over
 * {@code threads} workers; {@link #embed} runs on the calling thread.
 */
public final class Embedder implements AutoCloseable {
    /** Width of every vector this class returns. */
    public static final int DIMENSION = 384;
    /** Names the model in cache keys and model files, so a vector is never read back against another model. */
    public static final String MODEL_ID = "all-minilm-l6-v2-q/langchain4j-1.19.0-beta29";

    private final EmbeddingModel model;
    private final ExecutorService pool;
    private final int threads;

    private Embedder(int threads) {
        offline();
        // The model's own executor is used only for multi-segment calls, which this class never makes.
        this.model = new AllMiniLmL6V2QuantizedEmbeddingModel(Runnable::run);
        this.threads = threads;
        this.pool = threads > 1 ? Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "mini-embedder");
            t.setDaemon(true);
            return t;
        }) : null;
    }

    /** One worker per available processor for batches. */
    public static Embedder create() {
        return create(Runtime.getRuntime().availableProcessors());
    }

    /** @param threads workers for {@link #embedAll} (1 = the calling thread) */
    public static Embedder create(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        return new Embedder(threads);
    }

    /**
     * Keeps the tokenizer library (DJL) offline. Before it loads a tokenizer DJL "calls home": it asks the EC2
     * metadata address (169.254.169.254) for an instance id and, on EC2, sends telemetry; without a native
     * library for the platform in its jar it would download one. Both are off when {@code ai.djl.offline}
     * or {@code OPT_OUT_TRACKING} is true, so this sets the two system properties unless the caller already
     * set them (an environment variable of the same name still wins, as DJL reads those first).
     */
    static void offline() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
    }

    /** The unit-length embedding of one text. */
    public float[] embed(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isBlank()) {
            throw new IllegalArgumentException("cannot embed blank text");
        }
        return model.embed(TextSegment.from(text)).content().vector();
    }

    /** Embeddings of all texts, in order. */
    public float[][] embedAll(List<String> texts) {
        return embedAll(texts, done -> { });
    }

    /**
     * Embeddings of all texts, in order, spread over this embedder's workers.
     *
     * @param progress called with the number of texts done so far, about every 1% and at the end
     */
    public float[][] embedAll(List<String> texts, IntConsumer progress) {
        int n = texts.size();
        float[][] out = new float[n][];
        if (n == 0) {
            return out;
        }
        int step = Math.max(1, n / 100);
        AtomicInteger done = new AtomicInteger();
        if (pool == null || n == 1) {
            for (int i = 0; i < n; i++) {
                out[i] = embed(texts.get(i));
                if ((i + 1) % step == 0 || i + 1 == n) {
                    progress.accept(i + 1);
                }
            }
            return out;
        }
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> jobs = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            jobs.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < n) {
                    out[i] = embed(texts.get(i));
                    int d = done.incrementAndGet();
                    if (d % step == 0 || d == n) {
                        synchronized (progress) {
                            progress.accept(d);
                        }
                    }
                }
            }));
        }
        try {
            for (Future<?> f : jobs) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            jobs.forEach(f -> f.cancel(true));
            throw new IllegalStateException("interrupted while embedding", e);
        } catch (ExecutionException e) {
            jobs.forEach(f -> f.cancel(true));
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("embedding failed: " + c, c);
        }
        return out;
    }

    public int threads() {
        return threads;
    }

    /** Cosine similarity of two unit vectors (their dot product). */
    public static float cosine(float[] a, float[] b) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
