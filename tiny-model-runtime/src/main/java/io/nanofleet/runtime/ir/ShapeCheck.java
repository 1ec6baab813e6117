package io.nanofleet.runtime.ir;

import java.util.Arrays;

/** Checks that a node's inputs, parameters and output agree, so kernels can index without bounds surprises. */
public final class ShapeCheck {
    private ShapeCheck() {
    }

    public static void check(Node n, Graph g) {
        Value out = g.value(n.output);
        switch (n.op) {
            case DENSE, MATMUL_INTEGER, QLINEAR_MATMUL -> {
                arity(n, 1);
                int in = attr(n, 0), o = attr(n, 1);
                require(n, g.value(n.inputs[0]).size == in, "input size " + g.value(n.inputs[0]).size + " != " + in);
                require(n, out.size == o, "output size " + out.size + " != " + o);
                params(n, (long) in * o, n.op == Op.DENSE ? o : 0);
            }
            case CONV1D -> {
                arity(n, 1);
                int inC = attr(n, 0), outC = attr(n, 1), k = attr(n, 2), stride = attr(n, 3), pad = n.attrs.length > 4 ? n.attrs[4] : 0;
                Value x = g.value(n.inputs[0]);
                require(n, x.shape.length == 2 && x.shape[0] == inC, "input must be [" + inC + "][L], was " + Arrays.toString(x.shape));
                require(n, stride > 0 && pad >= 0 && pad < k, "bad stride/pad " + stride + "/" + pad);
                int lOut = conv1dOutLength(x.shape[1], k, stride, pad);
                require(n, lOut > 0, "kernel longer than padded input");
                require(n, Arrays.equals(out.shape, new int[]{outC, lOut}), "output must be [" + outC + "][" + lOut + "], was " + Arrays.toString(out.shape));
                params(n, (long) outC * inC * k, outC);
            }
            case RELU, TANH, SIGMOID, SOFTMAX, QUANTIZE_LINEAR, DEQUANTIZE_LINEAR -> {
                arity(n, 1);
                require(n, g.value(n.inputs[0]).size == out.size, "element-wise op changes size");
            }
            case RESHAPE -> {
                arity(n, 1);
                require(n, g.value(n.inputs[0]).size == out.size, "reshape changes element count");
            }
            case ADD -> {
                arity(n, 2);
                require(n, g.value(n.inputs[0]).size == out.size && g.value(n.inputs[1]).size == out.size, "Add needs equal sizes");
            }
            case CONCAT -> {
                require(n, n.inputs.length >= 1, "Concat needs inputs");
                long total = 0;
                for (int in : n.inputs) {
                    total += g.value(in).size;
                }
                require(n, total == out.size, "Concat output size " + out.size + " != sum of inputs " + total);
            }
            case EMBEDDING_BAG -> {
                arity(n, 1);
                int vocab = attr(n, 0), dim = attr(n, 1);
                require(n, g.value(n.inputs[0]).ids, "input must be an id tensor");
                require(n, out.size == dim, "output size " + out.size + " != " + dim);
                params(n, (long) vocab * dim, 0);
            }
            default -> throw new IllegalArgumentException("node '" + n.name + "': unknown op " + n.op);
        }
    }

    public static int conv1dOutLength(int l, int k, int stride, int pad) {
        return (l + 2 * pad - k) / stride + 1;
    }

    private static void params(Node n, long weights, int bias) {
        if (n.weights != null) {
            require(n, n.weights.length == weights, "weights have " + n.weights.length + " elements, expected " + weights);
        } else if (n.qWeights != null) {
            require(n, n.qWeights.length == weights, "int8 weights have " + n.qWeights.length + " elements, expected " + weights);
        } else {
            throw new IllegalArgumentException("node '" + n.name + "' (" + n.op + ") has no weights");
        }
        if (bias > 0) {
            if (n.bias != null) {
                require(n, n.bias.length == bias, "bias has " + n.bias.length + " elements, expected " + bias);
            } else if (n.qBias != null) {
                require(n, n.qBias.length == bias, "int32 bias has " + n.qBias.length + " elements, expected " + bias);
            } else {
                throw new IllegalArgumentException("node '" + n.name + "' has no bias");
            }
        }
    }

    private static void arity(Node n, int k) {
        require(n, n.inputs.length == k, n.op + " takes " + k + " input(s), has " + n.inputs.length);
    }

    private static int attr(Node n, int i) {
        require(n, n.attrs.length > i && n.attrs[i] > 0, "missing or non-positive attribute #" + i);
        return n.attrs[i];
    }

    private static void require(Node n, boolean ok, String msg) {
        if (!ok) {
            throw new IllegalArgumentException("node '" + n.name + "' (" + n.op + "): " + msg);
        }
    }
}
