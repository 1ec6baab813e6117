package io.nanofleet.anomaly.model;

import io.nanofleet.anomaly.detect.LinearReconstructor;
import io.nanofleet.runtime.Model;
import io.nanofleet.runtime.ModelBuilder;
import io.nanofleet.runtime.Quantizer;
import io.nanofleet.runtime.Trainer;
import io.nanofleet.runtime.ir.Node;
import java.util.List;

/**
 * Trains the detector's base model, a linear Dense(n->k)->Dense(k->n) autoencoder, on tiny-model-runtime and
 * quantizes it to int8. The weights start at the closed-form PCA solution (the optimum a linear autoencoder
 * converges to) and are then refined by the runtime's seeded Adam trainer; starting there makes on-device
 * training a few milliseconds and the result independent of how many epochs a slow device can afford.
 * Deterministic: same vectors, same seed, same bytes.
 */
public final class AutoencoderTrainer {
    /** Quantization range per input axis, in calibrated z units (see {@link #withHeadroom}). */
    static final float HEADROOM = 8f;
    private final int components;
    private final long seed;
    private final int epochs;
    private final boolean pcaInit;

    public AutoencoderTrainer(int components, long seed, int epochs, boolean pcaInit) {
        if (components < 1) {
            throw new IllegalArgumentException("components must be >= 1, got " + components);
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        }
        this.components = components;
        this.seed = seed;
        this.epochs = epochs;
        this.pcaInit = pcaInit;
    }

    /** The float model, its int8 quantization, the final training loss and the quantizer's per-layer report. */
    public record Trained(Model floatModel, Model int8Model, float finalLoss, List<Quantizer.LayerError> quantReport) {
    }

    public Trained train(float[][] vectors) {
        int n = vectors[0].length;
        if (components > n) {
            throw new IllegalArgumentException("components (" + components + ") must not exceed the channels (" + n + ")");
        }
        ModelBuilder b = new ModelBuilder(seed);
        int x = b.input(n);
        int code = b.dense(x, components);
        Model model = b.build(b.dense(code, n));
        if (pcaInit) {
            initialiseFromPca(model, LinearReconstructor.fit(vectors, components), n);
        }
        Trainer.Report report = new Trainer(model, Trainer.Loss.MSE)
                .learningRate(pcaInit ? 1e-4f : 1e-2f).batchSize(32).epochs(epochs).seed(seed)
                .fit(vectors, vectors);
        Quantizer.Result q = Quantizer.minMax().quantize(model, withHeadroom(vectors, n));
        return new Trained(model, q.model(), report.finalLoss(), q.report());
    }

    /**
     * Quantization ranges from the training vectors alone would clip any input beyond what calibration saw, and
     * normal drift after calibration goes well beyond it: the int8 model would then stop following the input
     * and report drift the float model explains. Adding +-HEADROOM on each axis widens every range to cover it.
     */
    static float[][] withHeadroom(float[][] vectors, int n) {
        float[][] rows = java.util.Arrays.copyOf(vectors, vectors.length + 2 * n);
        for (int c = 0; c < n; c++) {
            rows[vectors.length + 2 * c] = new float[n];
            rows[vectors.length + 2 * c][c] = HEADROOM;
            rows[vectors.length + 2 * c + 1] = new float[n];
            rows[vectors.length + 2 * c + 1][c] = -HEADROOM;
        }
        return rows;
    }

    private void initialiseFromPca(Model model, LinearReconstructor pca, int n) {
        List<Node> nodes = model.graph().nodes();
        Node enc = nodes.get(0);
        Node dec = nodes.get(1);
        float[] p = pca.componentMatrix(); // k x n
        float[] mean = pca.mean();
        for (int c = 0; c < components; c++) {
            float bias = 0;
            for (int i = 0; i < n; i++) {
                enc.weights[c * n + i] = p[c * n + i]; // Dense weights are [out][in]
                bias -= p[c * n + i] * mean[i];
            }
            enc.bias[c] = bias;
        }
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < components; c++) {
                dec.weights[i * components + c] = p[c * n + i];
            }
            dec.bias[i] = mean[i];
        }
    }
}
