package io.nanofleet.runtime;

import io.nanofleet.runtime.ir.Graph;
import io.nanofleet.runtime.ir.Node;
import io.nanofleet.runtime.ir.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Mini-batch Adam for float models built with {@link ModelBuilder}; updates the model's weights in place.
 * Deterministic: samples are shuffled with the seed and gradients summed in a fixed order, so the same
 * model, data and seed give bit-identical weights.
 *
 * <pre>{@code
 * Trainer t = new Trainer(model, Trainer.Loss.MSE).learningRate(1e-3f).batchSize(32).epochs(20).seed(7);
 * Trainer.Report r = t.fit(windows, windows);      // autoencoder: target = input
 * }</pre>
 */
public final class Trainer {
    /** MSE averages over output elements; SOFTMAX_CROSS_ENTROPY treats the output as logits unless it is a Softmax. */
    public enum Loss { MSE, SOFTMAX_CROSS_ENTROPY }

    /** Mean training loss per epoch, in order. */
    public record Report(float[] epochLoss) {
        public float finalLoss() {
            return epochLoss[epochLoss.length - 1];
        }
    }

    private final Model model;
    private final Graph g;
    private final Loss loss;
    private float learningRate = 1e-3f;
    private float beta1 = 0.9f;
    private float beta2 = 0.999f;
    private float epsilon = 1e-7f;
    private int batchSize = 32;
    private int epochs = 10;
    private long seed = 1;

    public Trainer(Model model, Loss loss) {
        if (model.isQuantized()) {
            throw new IllegalArgumentException("only float models can be trained; quantize after training");
        }
        if (model.graph().inputs().length != 1) {
            throw new IllegalArgumentException("the trainer supports single-input models");
        }
        for (Node n : model.graph().nodes()) {
            if (n.op.code > Op.EMBEDDING_BAG.code) {
                throw new IllegalArgumentException("node '" + n.name + "' (" + n.op + ") is not trainable");
            }
        }
        this.model = model;
        this.g = model.graph();
        this.loss = loss;
    }

    public Trainer learningRate(float lr) {
        this.learningRate = positive(lr, "learningRate");
        return this;
    }

    public Trainer adam(float beta1, float beta2, float epsilon) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = positive(epsilon, "epsilon");
        return this;
    }

    public Trainer batchSize(int batchSize) {
        this.batchSize = (int) positive(batchSize, "batchSize");
        return this;
    }

    public Trainer epochs(int epochs) {
        this.epochs = (int) positive(epochs, "epochs");
        return this;
    }

    public Trainer seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** Classification convenience: labels are class indices, turned into one-hot targets. */
    public Report fit(float[][] x, int[] labels) {
        int classes = model.outputSize();
        float[][] y = new float[labels.length][classes];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + labels[i] + " at row " + i + " is outside [0, " + classes + ")");
            }
            y[i][labels[i]] = 1f;
        }
        return fit(x, y);
    }

    public Report fit(float[][] x, float[][] y) {
        check(x, y);
        Interpreter it = new Interpreter(model, true);
        Backprop bp = new Backprop(g, it, loss);
        List<float[]> params = new ArrayList<>();
        List<float[]> grads = new ArrayList<>();
        bp.collectParams(params, grads);
        float[][] m = new float[params.size()][];
        float[][] v = new float[params.size()][];
        for (int i = 0; i < params.size(); i++) {
            m[i] = new float[params.get(i).length];
            v[i] = new float[params.get(i).length];
        }
        int[] order = new int[x.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] epochLoss = new float[epochs];
        long step = 0;
        for (int e = 0; e < epochs; e++) {
            for (int i = order.length - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            double total = 0;
            for (int start = 0; start < order.length; start += batchSize) {
                int end = Math.min(order.length, start + batchSize);
                for (float[] gr : grads) {
                    java.util.Arrays.fill(gr, 0f);
                }
                for (int b = start; b < end; b++) {
                    total += bp.accumulate(x[order[b]], y[order[b]]);
                }
                step++;
                float inv = 1f / (end - start);
                double c1 = 1 - Math.pow(beta1, step);
                double c2 = 1 - Math.pow(beta2, step);
                float lrT = (float) (learningRate * Math.sqrt(c2) / c1);
                for (int p = 0; p < params.size(); p++) {
                    float[] w = params.get(p), gr = grads.get(p), mp = m[p], vp = v[p];
                    for (int k = 0; k < w.length; k++) {
                        float gk = gr[k] * inv;
                        mp[k] = beta1 * mp[k] + (1 - beta1) * gk;
                        vp[k] = beta2 * vp[k] + (1 - beta2) * gk * gk;
                        w[k] -= lrT * mp[k] / ((float) Math.sqrt(vp[k]) + epsilon);
                    }
                }
            }
            epochLoss[e] = (float) (total / x.length);
            if (!Float.isFinite(epochLoss[e])) {
                throw new IllegalStateException("training diverged at epoch " + e + " (loss " + epochLoss[e] + "); lower the learning rate");
            }
        }
        return new Report(epochLoss);
    }

    /** Mean loss of the current weights on (x, y), without updating anything. */
    public float evaluate(float[][] x, float[][] y) {
        check(x, y);
        Interpreter it = new Interpreter(model, true);
        Backprop bp = new Backprop(g, it, loss);
        double total = 0;
        for (int i = 0; i < x.length; i++) {
            total += bp.lossOnly(x[i], y[i]);
        }
        return (float) (total / x.length);
    }

    private void check(float[][] x, float[][] y) {
        if (x.length == 0 || x.length != y.length) {
            throw new IllegalArgumentException("need the same, non-zero number of inputs and targets: " + x.length + " vs " + y.length);
        }
        int in = model.inputSize(), out = model.outputSize();
        for (int i = 0; i < x.length; i++) {
            if (x[i].length != in || y[i].length != out) {
                throw new IllegalArgumentException("row " + i + " has " + x[i].length + " inputs / " + y[i].length
                        + " targets; the model takes " + in + " / " + out);
            }
            for (float f : x[i]) {
                if (!Float.isFinite(f)) {
                    throw new IllegalArgumentException("row " + i + " contains a non-finite input");
                }
            }
        }
    }

    private static float positive(float v, String what) {
        if (!(v > 0)) {
            throw new IllegalArgumentException(what + " must be > 0, was " + v);
        }
        return v;
    }
}
