package io.nanofleet.runtime;

import io.nanofleet.runtime.ir.Graph;
import io.nanofleet.runtime.ir.Node;
import io.nanofleet.runtime.ir.QuantParams;
import io.nanofleet.runtime.ir.Value;

/**
 * Checks the per-op parameter arrays a loaded graph carries against what the kernels index, so a file that
 * passed the hash but was crafted (or written by a buggy tool) fails at load, not with an exception mid-run.
 */
final class NodeParamCheck {
    private NodeParamCheck() {
    }

    static void check(Graph g) {
        for (Node n : g.nodes()) {
            Value out = g.value(n.output);
            int channels = switch (n.op) {
                case DENSE, QLINEAR_MATMUL, MATMUL_INTEGER -> n.attrs[1];
                case CONV1D -> n.attrs[1];
                default -> 1;
            };
            if (out.quant != null) {
                for (int in : n.inputs) {
                    Value v = g.value(in);
                    require(n, v.quant != null || v.ids, "int8 node reads float value '" + v.name + "'");
                }
                switch (n.op) {
                    case DENSE, CONV1D -> {
                        require(n, n.qWeights != null && n.qBias != null && n.qBias.length == channels, "int8 weights/bias missing or mis-sized");
                        require(n, n.wScale != null && (n.wScale.length == channels || n.wScale.length == 1), "weight scales mis-sized");
                        positive(n, n.wScale);
                        float xs = g.value(n.inputs[0]).quant.scale();
                        for (float ws : n.wScale) {
                            multiplier(n, (double) xs * ws / out.quant.scale());
                        }
                    }
                    case EMBEDDING_BAG -> {
                        require(n, n.qWeights != null && n.wScale != null && n.wScale.length == 1, "int8 table/scale missing");
                        positive(n, n.wScale);
                        multiplier(n, (double) n.wScale[0] / g.value(n.inputs[0]).size / out.quant.scale());
                    }
                    case ADD -> {
                        double twiceMax = 2.0 * Math.max(g.value(n.inputs[0]).quant.scale(), g.value(n.inputs[1]).quant.scale());
                        multiplier(n, twiceMax / ((1 << 20) * (double) out.quant.scale()));
                    }
                    case RELU, TANH, SIGMOID, SOFTMAX, CONCAT, RESHAPE -> {
                    }
                    default -> require(n, false, "op has no int8 kernel");
                }
            } else {
                for (int in : n.inputs) {
                    require(n, g.value(in).quant == null, "float node reads int8 value '" + g.value(in).name + "'");
                }
                switch (n.op) {
                    case DENSE, CONV1D, EMBEDDING_BAG -> require(n, n.weights != null && (n.op == io.nanofleet.runtime.ir.Op.EMBEDDING_BAG || n.bias != null), "float weights missing");
                    case QUANTIZE_LINEAR -> require(n, len(n.aux) == 1 && len(n.auxInt) == 3 && n.aux[0] > 0, "needs scale and zero point/range");
                    case DEQUANTIZE_LINEAR -> require(n, len(n.aux) == 1 && len(n.auxInt) == 1, "needs scale and zero point");
                    case QLINEAR_MATMUL -> require(n, n.weights != null && len(n.auxInt) == 4 && zpOk(n, channels)
                            && (len(n.aux) == 3 || len(n.aux) == 2 + channels) && n.aux[1] > 0, "QLinearMatMul parameters mis-sized");
                    case MATMUL_INTEGER -> require(n, n.weights != null && len(n.auxInt) == 1 && zpOk(n, channels), "MatMulInteger parameters mis-sized");
                    default -> {
                    }
                }
            }
            if (out.quant != null && n.op == io.nanofleet.runtime.ir.Op.SOFTMAX) {
                QuantParams p = out.quant;
                require(n, p.zeroPoint() == -128, "int8 softmax output must use zero point -128");
            }
        }
    }

    /** Requantization multipliers must be representable (TFLite's QuantizeMultiplier range). */
    private static void multiplier(Node n, double real) {
        require(n, Double.isFinite(real) && real < (1L << 30), "requantization multiplier " + real + " is out of range");
    }

    private static boolean zpOk(Node n, int channels) {
        return n.wZeroPoint != null && (n.wZeroPoint.length == 1 || n.wZeroPoint.length == channels);
    }

    private static int len(float[] a) {
        return a == null ? -1 : a.length;
    }

    private static int len(int[] a) {
        return a == null ? -1 : a.length;
    }

    private static void positive(Node n, float[] scales) {
        for (float s : scales) {
            require(n, s > 0 && Float.isFinite(s), "non-positive weight scale");
        }
    }

    private static void require(Node n, boolean ok, String msg) {
        if (!ok) {
            throw new IllegalArgumentException("node '" + n.name + "' (" + n.op + "): " + msg);
        }
    }
}
