package io.nanofleet.runtime;

import io.nanofleet.runtime.ir.Graph;
import io.nanofleet.runtime.ir.Node;
import io.nanofleet.runtime.ir.Op;
import io.nanofleet.runtime.ir.QuantParams;
import io.nanofleet.runtime.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * Binds every node to its buffers and precomputed tables once, producing the step list {@link Interpreter#run()}
 * executes. Everything a step needs (folded biases, lookup tables, scratch) is allocated here, not per run.
 */
final class StepCompiler {
    private final Graph g;
    private final float[][] f;
    private final byte[][] q;
    /** Read weights from the nodes on every run (trainer, quantizer) instead of snapshotting faster layouts. */
    private final boolean live;

    StepCompiler(Graph g, float[][] f, byte[][] q, boolean live) {
        this.g = g;
        this.f = f;
        this.q = q;
        this.live = live;
    }

    Runnable[] compile() {
        List<Runnable> steps = new ArrayList<>();
        for (int in : g.inputs()) {
            Value v = g.value(in);
            if (v.quant != null) {
                float[] src = f[in];
                byte[] dst = q[in];
                float scale = v.quant.scale();
                int zp = v.quant.zeroPoint();
                steps.add(() -> {
                    for (int i = 0; i < dst.length; i++) {
                        dst[i] = FixedPoint.quantize(src[i], scale, zp);
                    }
                });
            }
        }
        for (Node n : g.nodes()) {
            steps.add(g.value(n.output).quant != null ? int8Step(n) : floatStep(n));
        }
        for (int out : g.outputs()) {
            Value v = g.value(out);
            if (v.quant != null) {
                byte[] src = q[out];
                float[] dst = f[out];
                QuantParams p = v.quant;
                steps.add(() -> {
                    for (int i = 0; i < dst.length; i++) {
                        dst[i] = p.scale() * (src[i] - p.zeroPoint());
                    }
                });
            }
        }
        return steps.toArray(new Runnable[0]);
    }

    private Runnable floatStep(Node n) {
        for (int in : n.inputs) {
            if (g.value(in).quant != null && f[in] == null) {
                throw new IllegalArgumentException("node '" + n.name + "' mixes int8 input with float output; the quantizer never produces that");
            }
        }
        float[] x = f[n.inputs[0]];
        float[] y = f[n.output];
        int size = g.value(n.output).size;
        int[] a = n.attrs;
        switch (n.op) {
            case DENSE: {
                float[] w = n.weights, b = n.bias;
                int in = a[0], out = a[1];
                float[] wc = live ? w : w.clone();
                float[] bias = live ? b : b.clone();
                return () -> FloatKernels.denseDot(x, wc, bias, y, in, out);
            }
            case CONV1D: {
                float[] w = live ? n.weights : n.weights.clone(), b = live ? n.bias : n.bias.clone();
                int lIn = g.value(n.inputs[0]).shape[1], lOut = g.value(n.output).shape[1];
                int inC = a[0], outC = a[1], k = a[2], stride = a[3], pad = a[4];
                float[] cols = new float[lOut * inC * k];
                return () -> FloatKernels.conv1dIm2col(x, w, b, y, cols, inC, outC, k, stride, pad, lIn, lOut);
            }
            case RELU:
                return () -> FloatKernels.relu(x, y, size);
            case TANH:
                return () -> FloatKernels.tanh(x, y, size);
            case SIGMOID:
                return () -> FloatKernels.sigmoid(x, y, size);
            case SOFTMAX:
                return () -> FloatKernels.softmax(x, y, size);
            case ADD: {
                float[] x2 = f[n.inputs[1]];
                return () -> FloatKernels.add(x, x2, y, size);
            }
            case CONCAT: {
                float[][] parts = new float[n.inputs.length][];
                for (int i = 0; i < parts.length; i++) {
                    parts[i] = f[n.inputs[i]];
                }
                int[] sizes = new int[parts.length];
                for (int i = 0; i < parts.length; i++) {
                    sizes[i] = g.value(n.inputs[i]).size;
                }
                return () -> {
                    int off = 0;
                    for (int i = 0; i < parts.length; i++) {
                        System.arraycopy(parts[i], 0, y, off, sizes[i]);
                        off += sizes[i];
                    }
                };
            }
            case RESHAPE:
                return () -> System.arraycopy(x, 0, y, 0, size);
            case EMBEDDING_BAG: {
                float[] table = n.weights;
                int count = g.value(n.inputs[0]).size, vocab = a[0], dim = a[1];
                return () -> FloatKernels.embeddingBag(x, table, y, count, vocab, dim);
            }
            case QUANTIZE_LINEAR: {
                float scale = n.aux[0];
                int zp = n.auxInt[0], lo = n.auxInt[1], hi = n.auxInt[2];
                return () -> OnnxQuantKernels.quantizeLinear(x, y, size, scale, zp, lo, hi);
            }
            case DEQUANTIZE_LINEAR: {
                float scale = n.aux[0];
                int zp = n.auxInt[0];
                return () -> OnnxQuantKernels.dequantizeLinear(x, y, size, scale, zp);
            }
            case QLINEAR_MATMUL: {
                int in = a[0], out = a[1];
                int[] b = toInts(n.weights);
                float aScale = n.aux[0], yScale = n.aux[1];
                float[] mult = new float[n.aux.length - 2];
                for (int i = 0; i < mult.length; i++) {
                    mult[i] = aScale * n.aux[2 + i] / yScale;
                }
                int aZp = n.auxInt[0], yZp = n.auxInt[1], lo = n.auxInt[2], hi = n.auxInt[3];
                int[] bZp = n.wZeroPoint;
                int[] scratch = new int[in];
                return () -> OnnxQuantKernels.qlinearMatMul(x, b, y, in, out, aZp, bZp, mult, yZp, lo, hi, scratch);
            }
            case MATMUL_INTEGER: {
                int in = a[0], out = a[1];
                int[] b = toInts(n.weights);
                int aZp = n.auxInt[0];
                int[] bZp = n.wZeroPoint;
                return () -> OnnxQuantKernels.matMulInteger(x, b, y, in, out, aZp, bZp);
            }
            default:
                throw new IllegalArgumentException("no float kernel for " + n.op + " (node '" + n.name + "')");
        }
    }

    private Runnable int8Step(Node n) {
        Value outV = g.value(n.output);
        QuantParams yq = outV.quant;
        byte[] y = q[n.output];
        int size = outV.size;
        int[] a = n.attrs;
        int lo = n.fusedActivation == Op.RELU ? Math.max(-128, yq.zeroPoint()) : -128;
        int hi = 127;
        if (n.op == Op.EMBEDDING_BAG) {
            float[] ids = f[n.inputs[0]];
            int count = g.value(n.inputs[0]).size, vocab = a[0], dim = a[1];
            int[] m = FixedPoint.quantizeMultiplier((double) n.wScale[0] / count / yq.scale());
            int[] acc = new int[dim];
            byte[] table = n.qWeights;
            int zpY = yq.zeroPoint();
            return () -> Int8Kernels.embeddingBag(ids, table, acc, y, count, vocab, dim, m[0], m[1], zpY);
        }
        QuantParams xq = g.value(n.inputs[0]).quant;
        if (xq == null) {
            throw new IllegalArgumentException("int8 node '" + n.name + "' reads a float value");
        }
        byte[] x = q[n.inputs[0]];
        switch (n.op) {
            case DENSE: {
                int in = a[0], out = a[1];
                byte[] w = n.qWeights;
                int[] folded = new int[out];
                int[][] ms = multipliers(xq, n.wScale, yq, out);
                for (int o = 0; o < out; o++) {
                    int sum = 0;
                    for (int i = 0; i < in; i++) {
                        sum += w[o * in + i];
                    }
                    folded[o] = n.qBias[o] - xq.zeroPoint() * sum;
                }
                int zpY = yq.zeroPoint();
                int[] acc = new int[out];
                if (in <= Int8Kernels.exactFloatLength(128 * 127)) {
                    float[] wf = new float[w.length];
                    for (int i = 0; i < wf.length; i++) {
                        wf[i] = w[i];
                    }
                    float[] xf = new float[in];
                    float[] accF = new float[out];
                    return () -> Int8Kernels.denseExactFloat(x, xf, wf, folded, accF, acc, ms[0], ms[1], y, in, out, zpY, lo, hi);
                }
                int[] wi = new int[w.length];
                for (int i = 0; i < wi.length; i++) {
                    wi[i] = w[i];
                }
                int[] xs = new int[in];
                return () -> Int8Kernels.denseDot(x, xs, wi, folded, acc, ms[0], ms[1], y, in, out, zpY, lo, hi);
            }
            case CONV1D: {
                int lIn = g.value(n.inputs[0]).shape[1], lOut = outV.shape[1];
                int inC = a[0], outC = a[1], k = a[2], stride = a[3], pad = a[4];
                int[][] ms = multipliers(xq, n.wScale, yq, outC);
                int[] w = new int[n.qWeights.length];
                for (int i = 0; i < w.length; i++) {
                    w[i] = n.qWeights[i];
                }
                int[] bias = n.qBias.clone();
                int zpX = xq.zeroPoint(), zpY = yq.zeroPoint();
                int[] acc = new int[outC * lOut];
                if (inC * k <= Int8Kernels.exactFloatLength(255 * 127)) {
                    float[] wf = new float[w.length];
                    for (int i = 0; i < wf.length; i++) {
                        wf[i] = w[i];
                    }
                    float[] colsF = new float[lOut * inC * k];
                    float[] xsF = new float[inC * lIn];
                    float[] accF = new float[outC * lOut];
                    return () -> Int8Kernels.conv1dExactFloat(x, xsF, colsF, wf, bias, accF, acc, ms[0], ms[1], y, inC, outC, k, stride, pad, lIn, lOut, zpX, zpY, lo, hi);
                }
                int[] cols = new int[lOut * inC * k];
                return () -> Int8Kernels.conv1dIm2col(x, cols, w, bias, acc, ms[0], ms[1], y, inC, outC, k, stride, pad, lIn, lOut, zpX, zpY, lo, hi);
            }
            case RELU:
            case TANH:
            case SIGMOID:
            case RESHAPE: {
                byte[] lut = lookupTable(n.op, xq, yq);
                return () -> Int8Kernels.lookup(x, lut, y, size);
            }
            case CONCAT: {
                byte[][] parts = new byte[n.inputs.length][];
                byte[][] luts = new byte[n.inputs.length][];
                int[] sizes = new int[parts.length];
                for (int i = 0; i < parts.length; i++) {
                    parts[i] = q[n.inputs[i]];
                    QuantParams iq = g.value(n.inputs[i]).quant;
                    luts[i] = iq.equals(yq) ? null : lookupTable(Op.RESHAPE, iq, yq);
                    sizes[i] = g.value(n.inputs[i]).size;
                }
                return () -> {
                    int off = 0;
                    for (int i = 0; i < parts.length; i++) {
                        byte[] lut = luts[i];
                        byte[] src = parts[i];
                        if (lut == null) {
                            System.arraycopy(src, 0, y, off, sizes[i]);
                        } else {
                            for (int j = 0; j < sizes[i]; j++) {
                                y[off + j] = lut[src[j] + 128];
                            }
                        }
                        off += sizes[i];
                    }
                };
            }
            case ADD: {
                QuantParams bq = g.value(n.inputs[1]).quant;
                byte[] x2 = q[n.inputs[1]];
                double twiceMax = 2.0 * Math.max(xq.scale(), bq.scale());
                int[] ma = FixedPoint.quantizeMultiplier(xq.scale() / twiceMax);
                int[] mb = FixedPoint.quantizeMultiplier(bq.scale() / twiceMax);
                int[] mo = FixedPoint.quantizeMultiplier(twiceMax / ((1 << 20) * (double) yq.scale()));
                int[] p = {ma[0], ma[1], mb[0], mb[1], mo[0], mo[1]};
                int zpA = xq.zeroPoint(), zpB = bq.zeroPoint(), zpY = yq.zeroPoint();
                return () -> Int8Kernels.add(x, x2, y, size, zpA, zpB, zpY, p, lo, hi);
            }
            case SOFTMAX: {
                float[] exp = new float[256];
                for (int d = 0; d < 256; d++) {
                    exp[d] = (float) Math.exp(-xq.scale() * d);
                }
                float[] scratch = new float[size];
                return () -> Int8Kernels.softmax(x, exp, scratch, y, size);
            }
            default:
                throw new IllegalArgumentException("no int8 kernel for " + n.op + " (node '" + n.name + "')");
        }
    }

    private static int[][] multipliers(QuantParams xq, float[] wScale, QuantParams yq, int channels) {
        int[][] ms = new int[2][channels];
        for (int c = 0; c < channels; c++) {
            int[] m = FixedPoint.quantizeMultiplier((double) xq.scale() * wScale[wScale.length == 1 ? 0 : c] / yq.scale());
            ms[0][c] = m[0];
            ms[1][c] = m[1];
        }
        return ms;
    }

    /** int8 -> int8 table of f(dequantize(q)) requantized to the output params (half away from zero). */
    static byte[] lookupTable(Op op, QuantParams xq, QuantParams yq) {
        byte[] lut = new byte[256];
        for (int qv = -128; qv <= 127; qv++) {
            double r = xq.scale() * (double) (qv - xq.zeroPoint());
            double v = switch (op) {
                case RELU -> Math.max(0, r);
                case TANH -> Math.tanh(r);
                case SIGMOID -> 1.0 / (1.0 + Math.exp(-r));
                default -> r;
            };
            lut[qv + 128] = (byte) FixedPoint.clampInt8(FixedPoint.roundHalfAwayFromZero(v / yq.scale()) + yq.zeroPoint());
        }
        return lut;
    }

    private static int[] toInts(float[] w) {
        int[] r = new int[w.length];
        for (int i = 0; i < w.length; i++) {
            r[i] = (int) w[i];
        }
        return r;
    }
}
