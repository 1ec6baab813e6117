package io.nanofleet.runtime.ir;

/**
 * One operator application. Float parameters live in {@code weights}/{@code bias}; after quantization the
 * int8 parameters ({@code qWeights}, {@code qBias}, per-channel {@code wScale}, requantization
 * {@code multiplier}/{@code shift}) are filled in and the float ones kept only when the op has no int8 kernel.
 */
public final class Node {
    public final Op op;
    public final String name;
    public final int[] inputs;
    public final int output;
    /** Op attributes. DENSE: [in, out]; CONV1D: [inC, outC, k, stride, pad]; EMBEDDING_BAG: [vocab, dim]. */
    public final int[] attrs;
    public float[] weights;
    public float[] bias;
    /** Fused activation of an int8 DENSE/CONV1D (RELU or null). */
    public Op fusedActivation;

    // int8 parameters, set by the quantizer or by ONNX import of quantized ops.
    public byte[] qWeights;
    public int[] qBias;
    public float[] wScale;
    public int[] wZeroPoint;
    public int[] multiplier;
    public int[] shift;
    /** Extra per-node tables: a 256-entry LUT for unary int8 ops, or constants for ONNX Q/DQ ops. */
    public float[] aux;
    public int[] auxInt;

    public Node(Op op, String name, int[] inputs, int output, int[] attrs) {
        this.op = op;
        this.name = name;
        this.inputs = inputs.clone();
        this.output = output;
        this.attrs = attrs == null ? new int[0] : attrs.clone();
    }

    /** A deep copy, so the quantizer never mutates the float model it was given. */
    public Node copy() {
        Node n = new Node(op, name, inputs, output, attrs);
        n.weights = weights == null ? null : weights.clone();
        n.bias = bias == null ? null : bias.clone();
        n.fusedActivation = fusedActivation;
        n.qWeights = qWeights == null ? null : qWeights.clone();
        n.qBias = qBias == null ? null : qBias.clone();
        n.wScale = wScale == null ? null : wScale.clone();
        n.wZeroPoint = wZeroPoint == null ? null : wZeroPoint.clone();
        n.multiplier = multiplier == null ? null : multiplier.clone();
        n.shift = shift == null ? null : shift.clone();
        n.aux = aux == null ? null : aux.clone();
        n.auxInt = auxInt == null ? null : auxInt.clone();
        return n;
    }

    public int parameterCount() {
        int n = 0;
        if (weights != null) {
            n += weights.length;
        } else if (qWeights != null) {
            n += qWeights.length;
        }
        if (bias != null) {
            n += bias.length;
        } else if (qBias != null) {
            n += qBias.length;
        }
        return n;
    }
}
