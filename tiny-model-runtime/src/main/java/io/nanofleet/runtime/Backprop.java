package io.nanofleet.runtime;

import io.nanofleet.runtime.ir.Graph;
import io.nanofleet.runtime.ir.Node;
import io.nanofleet.runtime.ir.Op;
import java.util.Arrays;
import java.util.List;

/** Reverse-mode gradients of one sample through the graph; parameter gradients accumulate across calls. */
final class Backprop {
    private final Graph g;
    private final Interpreter it;
    private final Trainer.Loss loss;
    private final float[][] grad;
    private final float[][] gW;
    private final float[][] gB;
    private final List<Node> nodes;
    private final int out;
    /** Output is a Softmax trained with cross-entropy: start the backward pass at its input with p - y. */
    private final boolean fusedSoftmax;
    private final float[] probs;

    Backprop(Graph g, Interpreter it, Trainer.Loss loss) {
        this.g = g;
        this.it = it;
        this.loss = loss;
        this.nodes = g.nodes();
        this.out = g.output();
        grad = new float[g.values().size()][];
        for (int v = 0; v < grad.length; v++) {
            grad[v] = new float[g.value(v).size];
        }
        gW = new float[nodes.size()][];
        gB = new float[nodes.size()][];
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            gW[i] = n.weights == null ? null : new float[n.weights.length];
            gB[i] = n.bias == null ? null : new float[n.bias.length];
        }
        Node last = producer(out);
        fusedSoftmax = loss == Trainer.Loss.SOFTMAX_CROSS_ENTROPY && last != null && last.op == Op.SOFTMAX;
        probs = new float[g.value(out).size];
    }

    void collectParams(List<float[]> params, List<float[]> grads) {
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (n.weights != null) {
                params.add(n.weights);
                grads.add(gW[i]);
            }
            if (n.bias != null) {
                params.add(n.bias);
                grads.add(gB[i]);
            }
        }
    }

    double lossOnly(float[] x, float[] y) {
        float[] o = it.run(x);
        return lossAndOutputGrad(o, y, new float[o.length]);
    }

    /** Forward, loss, backward; returns the sample's loss. */
    double accumulate(float[] x, float[] y) {
        float[] o = it.run(x);
        for (float[] gr : grad) {
            Arrays.fill(gr, 0f);
        }
        int startGradAt = fusedSoftmax ? producer(out).inputs[0] : out;
        double l = lossAndOutputGrad(o, y, grad[startGradAt]);
        for (int i = nodes.size() - 1; i >= 0; i--) {
            if (fusedSoftmax && nodes.get(i).output == out) {
                continue; // its gradient (p - y) was written straight into its input
            }
            backward(i);
        }
        return l;
    }

    private double lossAndOutputGrad(float[] o, float[] y, float[] gOut) {
        int n = o.length;
        if (loss == Trainer.Loss.MSE) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                float d = o[i] - y[i];
                s += d * d;
                gOut[i] = 2f * d / n;
            }
            return s / n;
        }
        if (fusedSoftmax) {
            System.arraycopy(o, 0, probs, 0, n);
        } else {
            FloatKernels.softmax(o, probs, n);
        }
        double s = 0;
        for (int i = 0; i < n; i++) {
            if (y[i] != 0f) {
                s -= y[i] * Math.log(Math.max(probs[i], 1e-12f));
            }
            gOut[i] = probs[i] - y[i];
        }
        return s;
    }

    private void backward(int idx) {
        Node n = nodes.get(idx);
        float[] gy = grad[n.output];
        float[] y = it.floatBuffer(n.output);
        float[] x = it.floatBuffer(n.inputs[0]);
        float[] gx = grad[n.inputs[0]];
        int size = gy.length;
        int[] a = n.attrs;
        switch (n.op) {
            case DENSE -> {
                int in = a[0], outN = a[1];
                float[] w = n.weights, gw = gW[idx], gb = gB[idx];
                for (int o = 0; o < outN; o++) {
                    float d = gy[o];
                    if (d == 0f) {
                        continue;
                    }
                    gb[o] += d;
                    int row = o * in;
                    for (int i = 0; i < in; i++) {
                        gw[row + i] += d * x[i];
                        gx[i] += d * w[row + i];
                    }
                }
            }
            case CONV1D -> {
                int inC = a[0], outC = a[1], k = a[2], stride = a[3], pad = a[4];
                int lIn = g.value(n.inputs[0]).shape[1], lOut = g.value(n.output).shape[1];
                float[] w = n.weights, gw = gW[idx], gb = gB[idx];
                for (int oc = 0; oc < outC; oc++) {
                    for (int t = 0; t < lOut; t++) {
                        float d = gy[oc * lOut + t];
                        if (d == 0f) {
                            continue;
                        }
                        gb[oc] += d;
                        int start = t * stride - pad;
                        for (int ic = 0; ic < inC; ic++) {
                            int wBase = (oc * inC + ic) * k;
                            int xBase = ic * lIn;
                            for (int j = 0; j < k; j++) {
                                int p = start + j;
                                if (p >= 0 && p < lIn) {
                                    gw[wBase + j] += d * x[xBase + p];
                                    gx[xBase + p] += d * w[wBase + j];
                                }
                            }
                        }
                    }
                }
            }
            case RELU -> {
                for (int i = 0; i < size; i++) {
                    if (x[i] > 0f) {
                        gx[i] += gy[i];
                    }
                }
            }
            case TANH -> {
                for (int i = 0; i < size; i++) {
                    gx[i] += gy[i] * (1f - y[i] * y[i]);
                }
            }
            case SIGMOID -> {
                for (int i = 0; i < size; i++) {
                    gx[i] += gy[i] * y[i] * (1f - y[i]);
                }
            }
            case SOFTMAX -> {
                float dot = 0f;
                for (int i = 0; i < size; i++) {
                    dot += gy[i] * y[i];
                }
                for (int i = 0; i < size; i++) {
                    gx[i] += y[i] * (gy[i] - dot);
                }
            }
            case ADD -> {
                float[] gx2 = grad[n.inputs[1]];
                for (int i = 0; i < size; i++) {
                    gx[i] += gy[i];
                    gx2[i] += gy[i];
                }
            }
            case CONCAT -> {
                int off = 0;
                for (int in : n.inputs) {
                    float[] gi = grad[in];
                    for (int i = 0; i < gi.length; i++) {
                        gi[i] += gy[off + i];
                    }
                    off += gi.length;
                }
            }
            case RESHAPE -> {
                for (int i = 0; i < size; i++) {
                    gx[i] += gy[i];
                }
            }
            case EMBEDDING_BAG -> {
                int count = x.length, dim = a[1];
                float[] gw = gW[idx];
                for (int t = 0; t < count; t++) {
                    int row = (int) x[t] * dim;
                    for (int d = 0; d < dim; d++) {
                        gw[row + d] += gy[d] / count;
                    }
                }
            }
            default -> throw new IllegalArgumentException("no gradient for " + n.op);
        }
    }

    private Node producer(int value) {
        for (Node n : nodes) {
            if (n.output == value) {
                return n;
            }
        }
        return null;
    }
}
