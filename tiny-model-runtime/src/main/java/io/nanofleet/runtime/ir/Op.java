package io.nanofleet.runtime.ir;

/**
 * Operators of the runtime graph. Float models use the float variants; the quantizer rewrites them to
 * int8 kernels that keep the same {@code Op} and carry {@link QuantParams} on the node.
 * The numeric codes are part of the model file format: never renumber, only append.
 */
public enum Op {
    /** y = W x + b; W is [out][in] row-major. */
    DENSE(1),
    /** 1-D convolution over a channels-first [C][L] input; W is [outC][inC][k]; attrs: stride, pad. */
    CONV1D(2),
    RELU(3),
    TANH(4),
    SIGMOID(5),
    /** Softmax over the whole (flattened) tensor: the runtime is batch-1 so that is ONNX's last axis for vectors. */
    SOFTMAX(6),
    /** Element-wise sum of two tensors of equal shape. */
    ADD(7),
    /** Concatenation along the first (non-batch) axis, which on the flat buffers is plain back-to-back copy. */
    CONCAT(8),
    /** Changes the shape only; Flatten is a RESHAPE to [n]. */
    RESHAPE(9),
    /** Mean of the rows of an embedding table selected by integer ids (hashed text features). */
    EMBEDDING_BAG(10),
    /** ONNX QuantizeLinear as a float op: round half to even, saturate; the result holds integer values. */
    QUANTIZE_LINEAR(11),
    /** ONNX DequantizeLinear as a float op: (q - zp) * scale, per tensor or per axis-0 channel. */
    DEQUANTIZE_LINEAR(12),
    /** ONNX QLinearMatMul with a constant B: int32 accumulation, float requantization, half to even. */
    QLINEAR_MATMUL(13),
    /** ONNX MatMulInteger with a constant B: exact int32 accumulation, result held as float. */
    MATMUL_INTEGER(14);

    public final int code;

    Op(int code) {
        this.code = code;
    }

    public static Op fromCode(int code) {
        for (Op op : values()) {
            if (op.code == code) {
                return op;
            }
        }
        return null;
    }
}
