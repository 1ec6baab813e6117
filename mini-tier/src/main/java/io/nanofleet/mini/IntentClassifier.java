package io.nanofleet.mini;

import io.nanofleet.intents.eval.Calibration;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The mini tier's intent classifier on sentence embeddings: a {@link SoftmaxClassifier} over every intent (HWU64's
 * and the fleet's), the scenario of each intent, the temperature that calibrates its softmax and the confidence
 * threshold, the last two fitted on cross-validation folds ({@link MiniTierTraining}). Immutable and thread-safe. Saved as a small binary file ({@code NFMINI} + version 1,
 * the embedding model's id, then the numbers); a file for another embedding model is refused, because its
 * weights would be meaningless on these vectors.
 */
public final class IntentClassifier {
    private static final String MAGIC = "NFMINI";
    private static final int VERSION = 1;

    private final SoftmaxClassifier classifier;
    private final List<String> scenarios;
    private final float temperature;
    private final float threshold;

    /**
     * @param scenarios   the scenario of each of the classifier's labels, in order
     * @param temperature divides the logits before the softmax (fitted on out-of-fold logits)
     * @param threshold   calibrated confidence below which an answer should go to the full tier
     */
    public IntentClassifier(SoftmaxClassifier classifier, List<String> scenarios, float temperature, float threshold) {
        this.classifier = Objects.requireNonNull(classifier, "classifier");
        this.scenarios = List.copyOf(scenarios);
        if (scenarios.size() != classifier.labels().size()) {
            throw new IllegalArgumentException(scenarios.size() + " scenarios for " + classifier.labels().size() + " labels");
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        }
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be in [0, 1], got " + threshold);
        }
        this.temperature = temperature;
        this.threshold = threshold;
    }

    /** The same model with another threshold (configuration wins over the fitted value). */
    public IntentClassifier withThreshold(float t) {
        return new IntentClassifier(classifier, scenarios, temperature, t);
    }

    /** Calibrated probabilities of every label for one embedding. */
    public float[] probabilities(float[] embedding) {
        return Calibration.softmax(classifier.logits(embedding), temperature);
    }

    public List<String> labels() {
        return classifier.labels();
    }

    public List<String> scenarios() {
        return scenarios;
    }

    public float temperature() {
        return temperature;
    }

    public float threshold() {
        return threshold;
    }

    public SoftmaxClassifier classifier() {
        return classifier;
    }

    public void write(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "mini", ".tmp");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp))) {
            write(out);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public void write(OutputStream os) throws IOException {
        DataOutputStream out = new DataOutputStream(os);
        out.writeUTF(MAGIC);
        out.writeInt(VERSION);
        out.writeUTF(Embedder.MODEL_ID);
        out.writeFloat(temperature);
        out.writeFloat(threshold);
        out.writeInt(scenarios.size());
        for (String s : scenarios) {
            out.writeUTF(s);
        }
        classifier.write(out);
        out.flush();
    }

    public static IntentClassifier read(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            return read(in);
        }
    }

    public static IntentClassifier read(InputStream is) throws IOException {
        DataInputStream in = new DataInputStream(is);
        if (!MAGIC.equals(in.readUTF())) {
            throw new IOException("not a mini-tier model file");
        }
        int version = in.readInt();
        if (version != VERSION) {
            throw new IOException("mini-tier model file version " + version + ", this code reads " + VERSION);
        }
        String embedding = in.readUTF();
        if (!Embedder.MODEL_ID.equals(embedding)) {
            throw new IOException("model trained on embeddings of " + embedding + ", this code embeds with " + Embedder.MODEL_ID);
        }
        float temperature = in.readFloat();
        float threshold = in.readFloat();
        int n = in.readInt();
        if (n < 1 || n > 100_000) {
            throw new IOException("bad label count " + n);
        }
        List<String> scenarios = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            scenarios.add(in.readUTF());
        }
        SoftmaxClassifier c = SoftmaxClassifier.read(in);
        if (in.read() != -1) {
            throw new IOException("trailing bytes after the model");
        }
        try {
            return new IntentClassifier(c, scenarios, temperature, threshold);
        } catch (IllegalArgumentException e) {
            throw new IOException("bad mini-tier model: " + e.getMessage(), e);
        }
    }
}
