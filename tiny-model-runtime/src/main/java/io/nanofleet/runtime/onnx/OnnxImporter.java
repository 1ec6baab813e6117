package io.nanofleet.runtime.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import io.nanofleet.runtime.Model;
import io.nanofleet.runtime.ModelMetadata;
import io.nanofleet.runtime.ir.Graph;
import io.nanofleet.runtime.ir.Node;
import io.nanofleet.runtime.ir.Op;
import io.nanofleet.runtime.ir.ShapeCheck;
import io.nanofleet.runtime.ir.Value;
import io.nanofleet.runtime.onnx.proto.Onnx.AttributeProto;
import io.nanofleet.runtime.onnx.proto.Onnx.GraphProto;
import io.nanofleet.runtime.onnx.proto.Onnx.ModelProto;
import io.nanofleet.runtime.onnx.proto.Onnx.NodeProto;
import io.nanofleet.runtime.onnx.proto.Onnx.StringStringEntryProto;
import io.nanofleet.runtime.onnx.proto.Onnx.TensorProto;
import io.nanofleet.runtime.onnx.proto.Onnx.TensorShapeProto;
import io.nanofleet.runtime.onnx.proto.Onnx.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Imports an ONNX file (batch dimension 1) into a runtime {@link Model}. Supported: Gemm, MatMul (+ Add bias),
 * Conv (1-D), Relu, Tanh, Sigmoid, Softmax, Add, Concat, Reshape, Flatten, Identity, Constant, Gather +
 * ReduceMean (embedding bag), QuantizeLinear, DequantizeLinear, QLinearMatMul and MatMulInteger (constant B).
 * Anything else fails with an {@link OnnxImportException} naming the node and the operator.
 */
public final class OnnxImporter {
    /** Largest ONNX file accepted. */
    public static final long MAX_FILE_BYTES = 64L * 1024 * 1024;

    private record Const(double[] data, long[] dims, int type) {
        int size() {
            return data.length;
        }
    }

    private final Map<String, Const> consts = new HashMap<>();
    private final Map<String, Integer> ids = new HashMap<>();
    private final List<Value> values = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, List<NodeProto>> readers = new HashMap<>();
    private final Set<NodeProto> absorbed = new HashSet<>();

    private OnnxImporter() {
    }

    public static Model read(Path path) throws IOException {
        long size = Files.size(path);
        if (size > MAX_FILE_BYTES) {
            throw new OnnxImportException(path + " is " + size + " bytes; ONNX import is capped at " + MAX_FILE_BYTES);
        }
        return fromBytes(Files.readAllBytes(path));
    }

    public static Model fromBytes(byte[] bytes) {
        ModelProto mp;
        try {
            mp = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxImportException("not a valid ONNX file: " + e.getMessage(), e);
        }
        if (!mp.hasGraph()) {
            throw new OnnxImportException("ONNX file has no graph");
        }
        return new OnnxImporter().convert(mp);
    }

    private Model convert(ModelProto mp) {
        GraphProto gp = mp.getGraph();
        for (TensorProto t : gp.getInitializerList()) {
            putConst(t.getName(), t);
        }
        for (ValueInfoProto in : gp.getInputList()) {
            if (consts.containsKey(in.getName())) {
                continue; // old-style graphs list initializers as inputs too
            }
            addInput(in);
        }
        for (NodeProto n : gp.getNodeList()) {
            for (String in : n.getInputList()) {
                readers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            }
        }
        for (NodeProto n : gp.getNodeList()) {
            if (!absorbed.contains(n)) {
                convertNode(n);
            }
        }
        int[] inputs = new int[gp.getInputCount()];
        int k = 0;
        for (ValueInfoProto in : gp.getInputList()) {
            if (!consts.containsKey(in.getName())) {
                inputs[k++] = ids.get(in.getName());
            }
        }
        int[] outputs = new int[gp.getOutputCount()];
        for (int i = 0; i < outputs.length; i++) {
            outputs[i] = dynamic(gp.getOutput(i).getName(), "graph output");
        }
        ModelMetadata.Builder meta = ModelMetadata.builder();
        for (StringStringEntryProto e : mp.getMetadataPropsList()) {
            if (e.getKey().equals("nanofleet.kind")) {
                meta.kind(e.getValue());
            } else {
                meta.property(e.getKey(), e.getValue());
            }
        }
        try {
            return new Model(new Graph(values, nodes, Arrays.copyOf(inputs, k), outputs), meta.build());
        } catch (IllegalArgumentException e) {
            throw new OnnxImportException("ONNX graph is invalid: " + e.getMessage(), e);
        }
    }

    private void addInput(ValueInfoProto in) {
        if (!in.getType().hasTensorType()) {
            throw new OnnxImportException("graph input '" + in.getName() + "' is not a tensor");
        }
        int elem = in.getType().getTensorType().getElemType();
        boolean isIds = elem == OnnxTensors.INT64 || elem == OnnxTensors.INT32;
        if (!isIds && elem != OnnxTensors.FLOAT) {
            throw new OnnxImportException("graph input '" + in.getName() + "' has element type " + elem + "; float, int32 or int64 expected");
        }
        List<TensorShapeProto.Dimension> dims = in.getType().getTensorType().getShape().getDimList();
        if (dims.size() < 2) {
            throw new OnnxImportException("graph input '" + in.getName() + "' must have a batch dimension and at least one more");
        }
        if (dims.get(0).hasDimValue() && dims.get(0).getDimValue() != 1) {
            throw new OnnxImportException("graph input '" + in.getName() + "' has batch size " + dims.get(0).getDimValue() + "; only 1 is supported");
        }
        int[] shape = new int[dims.size() - 1];
        for (int i = 1; i < dims.size(); i++) {
            long d = dims.get(i).getDimValue();
            if (!dims.get(i).hasDimValue() || d <= 0 || d > Graph.MAX_ELEMENTS) {
                throw new OnnxImportException("graph input '" + in.getName() + "' dimension " + i + " must be a fixed positive size");
            }
            shape[i - 1] = (int) d;
        }
        ids.put(in.getName(), newValue(in.getName(), shape, isIds));
    }

    private void convertNode(NodeProto n) {
        if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
            throw unsupported(n);
        }
        String out = n.getOutput(0);
        switch (n.getOpType()) {
            case "Constant" -> {
                AttributeProto v = attr(n, "value");
                if (v == null || !v.hasT()) {
                    throw new OnnxImportException("node '" + name(n) + "' (Constant) needs a tensor 'value' attribute");
                }
                putConst(out, v.getT());
            }
            case "Identity" -> {
                if (consts.containsKey(n.getInput(0))) {
                    consts.put(out, consts.get(n.getInput(0)));
                } else {
                    ids.put(out, dynamic(n.getInput(0), name(n)));
                }
            }
            case "Gemm" -> gemm(n);
            case "MatMul" -> matmul(n);
            case "Conv" -> conv(n);
            case "Relu" -> unary(n, Op.RELU);
            case "Tanh" -> unary(n, Op.TANH);
            case "Sigmoid" -> unary(n, Op.SIGMOID);
            case "Softmax" -> {
                int x = dynamic(n.getInput(0), name(n));
                long axis = intAttr(n, "axis", -1);
                if (values.get(x).shape.length != 1 || (axis != -1 && axis != 1)) {
                    throw new OnnxImportException("node '" + name(n) + "' (Softmax): only softmax over the last axis of a [1, N] tensor is supported");
                }
                unary(n, Op.SOFTMAX);
            }
            case "Add" -> add(n);
            case "Concat" -> {
                int[] ins = new int[n.getInputCount()];
                for (int i = 0; i < ins.length; i++) {
                    ins[i] = dynamic(n.getInput(i), name(n));
                }
                int rank = values.get(ins[0]).shape.length + 1;
                long axis = intAttr(n, "axis", 1);
                if (axis < 0) {
                    axis += rank;
                }
                if (axis != 1) {
                    throw new OnnxImportException("node '" + name(n) + "' (Concat): only axis 1 (first after batch) is supported, got " + axis);
                }
                int[] shape = values.get(ins[0]).shape.clone();
                for (int i = 1; i < ins.length; i++) {
                    int[] s = values.get(ins[i]).shape;
                    if (s.length != shape.length || !Arrays.equals(Arrays.copyOfRange(s, 1, s.length), Arrays.copyOfRange(shape, 1, shape.length))) {
                        throw new OnnxImportException("node '" + name(n) + "' (Concat): input shapes differ beyond the concat axis");
                    }
                    shape[0] += s[0];
                }
                emit(Op.CONCAT, n, ins, shape, null);
            }
            case "Reshape" -> reshape(n);
            case "Flatten" -> {
                int x = dynamic(n.getInput(0), name(n));
                if (intAttr(n, "axis", 1) != 1) {
                    throw new OnnxImportException("node '" + name(n) + "' (Flatten): only axis 1 is supported");
                }
                emit(Op.RESHAPE, n, new int[]{x}, new int[]{values.get(x).size}, null);
            }
            case "Gather" -> embeddingBag(n);
            case "QuantizeLinear" -> quantizeLinear(n);
            case "DequantizeLinear" -> dequantizeLinear(n);
            case "QLinearMatMul" -> qlinearMatMul(n);
            case "MatMulInteger" -> matMulInteger(n);
            default -> throw unsupported(n);
        }
    }

    private void gemm(NodeProto n) {
        int x = dynamic(n.getInput(0), name(n));
        Const b = constant(n, 1, "B");
        if (intAttr(n, "transA", 0) != 0 || floatAttr(n, "alpha", 1f) != 1f || floatAttr(n, "beta", 1f) != 1f) {
            throw new OnnxImportException("node '" + name(n) + "' (Gemm): only transA=0, alpha=1, beta=1 are supported");
        }
        boolean transB = intAttr(n, "transB", 0) != 0;
        if (b.dims.length != 2) {
            throw new OnnxImportException("node '" + name(n) + "' (Gemm): B must be 2-D");
        }
        int in = (int) (transB ? b.dims[1] : b.dims[0]);
        int outN = (int) (transB ? b.dims[0] : b.dims[1]);
        float[] w = transB ? toFloats(b.data) : transpose(b.data, in, outN);
        float[] bias = new float[outN];
        if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
            Const c = constant(n, 2, "C");
            if (c.size() != outN && c.size() != 1) {
                throw new OnnxImportException("node '" + name(n) + "' (Gemm): C must have " + outN + " elements or 1");
            }
            for (int o = 0; o < outN; o++) {
                bias[o] = (float) c.data[c.size() == 1 ? 0 : o];
            }
        }
        dense(n, x, in, outN, w, bias, n.getOutput(0));
    }

    private void matmul(NodeProto n) {
        int x = dynamic(n.getInput(0), name(n));
        Const b = constant(n, 1, "B");
        if (b.dims.length != 2) {
            throw new OnnxImportException("node '" + name(n) + "' (MatMul): B must be a 2-D constant");
        }
        int in = (int) b.dims[0], outN = (int) b.dims[1];
        float[] w = transpose(b.data, in, outN);
        float[] bias = new float[outN];
        String out = n.getOutput(0);
        // MatMul followed only by Add(constant bias) becomes one Dense.
        List<NodeProto> rs = readers.getOrDefault(out, List.of());
        if (rs.size() == 1 && rs.get(0).getOpType().equals("Add")) {
            NodeProto add = rs.get(0);
            String other = add.getInput(0).equals(out) ? add.getInput(1) : add.getInput(0);
            Const c = consts.get(other);
            if (c != null && (c.size() == outN || c.size() == 1)) {
                for (int o = 0; o < outN; o++) {
                    bias[o] = (float) c.data[c.size() == 1 ? 0 : o];
                }
                absorbed.add(add);
                out = add.getOutput(0);
            }
        }
        dense(n, x, in, outN, w, bias, out);
    }

    private void dense(NodeProto n, int x, int in, int outN, float[] w, float[] bias, String out) {
        if (values.get(x).size != in || values.get(x).shape.length != 1) {
            throw new OnnxImportException("node '" + name(n) + "': input " + Arrays.toString(values.get(x).shape)
                    + " does not match a [1, " + in + "] matrix product");
        }
        Node node = emitAs(Op.DENSE, n, out, new int[]{x}, new int[]{outN}, new int[]{in, outN});
        node.weights = w;
        node.bias = bias;
    }

    private void conv(NodeProto n) {
        int x = dynamic(n.getInput(0), name(n));
        Const w = constant(n, 1, "W");
        if (w.dims.length != 3) {
            throw new OnnxImportException("node '" + name(n) + "' (Conv): only 1-D convolution (3-D weights) is supported");
        }
        if (intAttr(n, "group", 1) != 1) {
            throw new OnnxImportException("node '" + name(n) + "' (Conv): group != 1 is not supported");
        }
        AttributeProto autoPad = attr(n, "auto_pad");
        if (autoPad != null && !autoPad.getS().toStringUtf8().equals("NOTSET")) {
            throw new OnnxImportException("node '" + name(n) + "' (Conv): auto_pad is not supported, use explicit pads");
        }
        long[] dil = intsAttr(n, "dilations");
        if (dil != null && (dil.length != 1 || dil[0] != 1)) {
            throw new OnnxImportException("node '" + name(n) + "' (Conv): dilation != 1 is not supported");
        }
        long[] strides = intsAttr(n, "strides");
        long[] pads = intsAttr(n, "pads");
        int stride = strides == null ? 1 : (int) strides[0];
        int pad = 0;
        if (pads != null) {
            if (pads.length != 2 || pads[0] != pads[1]) {
                throw new OnnxImportException("node '" + name(n) + "' (Conv): only symmetric 1-D pads are supported");
            }
            pad = (int) pads[0];
        }
        int outC = (int) w.dims[0], inC = (int) w.dims[1], k = (int) w.dims[2];
        int[] xs = values.get(x).shape;
        if (xs.length != 2 || xs[0] != inC) {
            throw new OnnxImportException("node '" + name(n) + "' (Conv): input " + Arrays.toString(xs) + " does not match " + inC + " channels");
        }
        float[] bias = new float[outC];
        if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
            bias = toFloats(constant(n, 2, "B").data);
        }
        int lOut = ShapeCheck.conv1dOutLength(xs[1], k, stride, pad);
        if (lOut <= 0 || pad >= k) {
            throw new OnnxImportException("node '" + name(n) + "' (Conv): unsupported kernel/pad/stride combination");
        }
        Node node = emit(Op.CONV1D, n, new int[]{x}, new int[]{outC, lOut}, new int[]{inC, outC, k, stride, pad});
        node.weights = toFloats(w.data);
        node.bias = bias;
    }

    private void add(NodeProto n) {
        boolean c0 = consts.containsKey(n.getInput(0)), c1 = consts.containsKey(n.getInput(1));
        if (c0 || c1) {
            throw new OnnxImportException("node '" + name(n) + "' (Add): adding a constant is only supported as the bias right after MatMul");
        }
        int a = dynamic(n.getInput(0), name(n)), b = dynamic(n.getInput(1), name(n));
        if (!Arrays.equals(values.get(a).shape, values.get(b).shape)) {
            throw new OnnxImportException("node '" + name(n) + "' (Add): broadcasting is not supported, shapes "
                    + Arrays.toString(values.get(a).shape) + " and " + Arrays.toString(values.get(b).shape));
        }
        emit(Op.ADD, n, new int[]{a, b}, values.get(a).shape, null);
    }

    private void reshape(NodeProto n) {
        int x = dynamic(n.getInput(0), name(n));
        Const s = constant(n, 1, "shape");
        int[] xs = values.get(x).shape;
        long[] dims = new long[s.size()];
        int infer = -1;
        long known = 1;
        for (int i = 0; i < dims.length; i++) {
            dims[i] = (long) s.data[i];
            if (dims[i] == 0) {
                dims[i] = i == 0 ? 1 : (i - 1 < xs.length ? xs[i - 1] : 0);
            }
            if (dims[i] == -1) {
                if (infer >= 0) {
                    throw new OnnxImportException("node '" + name(n) + "' (Reshape): more than one -1");
                }
                infer = i;
            } else if (dims[i] <= 0) {
                throw new OnnxImportException("node '" + name(n) + "' (Reshape): invalid dimension " + dims[i]);
            } else {
                known *= dims[i];
            }
        }
        long total = values.get(x).size;
        if (infer >= 0) {
            dims[infer] = total / Math.max(1, known);
        }
        if (dims.length < 2 || dims[0] != 1) {
            throw new OnnxImportException("node '" + name(n) + "' (Reshape): the batch dimension must stay 1");
        }
        int[] shape = new int[dims.length - 1];
        long prod = 1;
        for (int i = 1; i < dims.length; i++) {
            shape[i - 1] = (int) dims[i];
            prod *= dims[i];
        }
        if (prod != total) {
            throw new OnnxImportException("node '" + name(n) + "' (Reshape): " + Arrays.toString(dims) + " does not hold " + total + " elements");
        }
        emit(Op.RESHAPE, n, new int[]{x}, shape, null);
    }

    private void embeddingBag(NodeProto n) {
        Const table = constant(n, 0, "data");
        int idsV = dynamic(n.getInput(1), name(n));
        List<NodeProto> rs = readers.getOrDefault(n.getOutput(0), List.of());
        if (table.dims.length != 2 || intAttr(n, "axis", 0) != 0 || !values.get(idsV).ids || values.get(idsV).shape.length != 1
                || rs.size() != 1 || !rs.get(0).getOpType().equals("ReduceMean")) {
            throw new OnnxImportException("node '" + name(n) + "' (Gather): only Gather(constant [vocab, dim] table, ids [1, n], axis 0) "
                    + "followed by ReduceMean over axis 1 (an embedding bag) is supported");
        }
        NodeProto mean = rs.get(0);
        long[] axes = intsAttr(mean, "axes");
        if (axes == null && mean.getInputCount() > 1) {
            double[] a = constant(mean, 1, "axes").data;
            axes = new long[a.length];
            for (int i = 0; i < a.length; i++) {
                axes[i] = (long) a[i];
            }
        }
        if (axes == null || axes.length != 1 || (axes[0] != 1 && axes[0] != -2) || intAttr(mean, "keepdims", 1) != 0) {
            throw new OnnxImportException("node '" + name(mean) + "' (ReduceMean): only axes=[1], keepdims=0 after Gather is supported");
        }
        absorbed.add(mean);
        int vocab = (int) table.dims[0], dim = (int) table.dims[1];
        Node node = emitAs(Op.EMBEDDING_BAG, n, mean.getOutput(0), new int[]{idsV}, new int[]{dim}, new int[]{vocab, dim});
        node.weights = toFloats(table.data);
    }

    private void quantizeLinear(NodeProto n) {
        int x = dynamic(n.getInput(0), name(n));
        float scale = scalar(n, 1, "y_scale");
        int zp = 0, lo = 0, hi = 255; // ONNX: no zero point means uint8
        if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
            Const z = constant(n, 2, "y_zero_point");
            if (z.size() != 1) {
                throw new OnnxImportException("node '" + name(n) + "' (QuantizeLinear): only per-tensor quantization of activations is supported");
            }
            zp = (int) z.data[0];
            if (z.type == OnnxTensors.INT8) {
                lo = -128;
                hi = 127;
            } else if (z.type != OnnxTensors.UINT8) {
                throw new OnnxImportException("node '" + name(n) + "' (QuantizeLinear): only int8/uint8 outputs are supported");
            }
        }
        Node node = emit(Op.QUANTIZE_LINEAR, n, new int[]{x}, values.get(x).shape, null);
        node.aux = new float[]{scale};
        node.auxInt = new int[]{zp, lo, hi};
    }

    private void dequantizeLinear(NodeProto n) {
        Const zpC = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? constant(n, 2, "x_zero_point") : null;
        Const scaleC = constant(n, 1, "x_scale");
        Const xc = consts.get(n.getInput(0));
        if (xc != null) {
            // Constant (weights/bias): fold to float now, per tensor or per axis.
            double[] out = new double[xc.size()];
            long axis = intAttr(n, "axis", 1);
            if (axis < 0) {
                axis += xc.dims.length;
            }
            int inner = 1;
            for (int i = (int) axis + 1; i < xc.dims.length; i++) {
                inner *= (int) xc.dims[i];
            }
            int channels = scaleC.size() == 1 ? 1 : (int) xc.dims[(int) axis];
            if (scaleC.size() != 1 && scaleC.size() != channels) {
                throw new OnnxImportException("node '" + name(n) + "' (DequantizeLinear): scale size does not match axis " + axis);
            }
            for (int i = 0; i < out.length; i++) {
                int c = channels == 1 ? 0 : (i / inner) % channels;
                double zp = zpC == null ? 0 : zpC.data[zpC.size() == 1 ? 0 : c];
                out[i] = (float) ((float) (xc.data[i] - zp) * (float) scaleC.data[c]);
            }
            consts.put(n.getOutput(0), new Const(out, xc.dims, OnnxTensors.FLOAT));
            return;
        }
        int x = dynamic(n.getInput(0), name(n));
        if (scaleC.size() != 1 || (zpC != null && zpC.size() != 1)) {
            throw new OnnxImportException("node '" + name(n) + "' (DequantizeLinear): only per-tensor dequantization of activations is supported");
        }
        Node node = emit(Op.DEQUANTIZE_LINEAR, n, new int[]{x}, values.get(x).shape, null);
        node.aux = new float[]{(float) scaleC.data[0]};
        node.auxInt = new int[]{zpC == null ? 0 : (int) zpC.data[0]};
    }

    private void qlinearMatMul(NodeProto n) {
        int a = dynamic(n.getInput(0), name(n));
        float aScale = scalar(n, 1, "a_scale");
        int aZp = (int) constant(n, 2, "a_zero_point").data[0];
        Const b = constant(n, 3, "b");
        Const bScale = constant(n, 4, "b_scale");
        Const bZp = constant(n, 5, "b_zero_point");
        float yScale = scalar(n, 6, "y_scale");
        Const yZp = constant(n, 7, "y_zero_point");
        if (b.dims.length != 2) {
            throw new OnnxImportException("node '" + name(n) + "' (QLinearMatMul): b must be a 2-D constant");
        }
        int in = (int) b.dims[0], outN = (int) b.dims[1];
        if ((bScale.size() != 1 && bScale.size() != outN) || (bZp.size() != 1 && bZp.size() != outN)) {
            throw new OnnxImportException("node '" + name(n) + "' (QLinearMatMul): b scale/zero point must be per tensor or per column");
        }
        Node node = dense2(Op.QLINEAR_MATMUL, n, a, in, outN, b);
        node.aux = new float[2 + bScale.size()];
        node.aux[0] = aScale;
        node.aux[1] = yScale;
        for (int i = 0; i < bScale.size(); i++) {
            node.aux[2 + i] = (float) bScale.data[i];
        }
        boolean s8 = yZp.type == OnnxTensors.INT8;
        node.auxInt = new int[]{aZp, (int) yZp.data[0], s8 ? -128 : 0, s8 ? 127 : 255};
        node.wZeroPoint = toInts(bZp.data);
    }

    private void matMulInteger(NodeProto n) {
        int a = dynamic(n.getInput(0), name(n));
        Const b = constant(n, 1, "B");
        if (b.dims.length != 2) {
            throw new OnnxImportException("node '" + name(n) + "' (MatMulInteger): B must be a 2-D constant");
        }
        int in = (int) b.dims[0], outN = (int) b.dims[1];
        int aZp = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? (int) constant(n, 2, "a_zero_point").data[0] : 0;
        int[] bZp = n.getInputCount() > 3 && !n.getInput(3).isEmpty() ? toInts(constant(n, 3, "b_zero_point").data) : new int[]{0};
        if (bZp.length != 1 && bZp.length != outN) {
            throw new OnnxImportException("node '" + name(n) + "' (MatMulInteger): b_zero_point must be per tensor or per column");
        }
        Node node = dense2(Op.MATMUL_INTEGER, n, a, in, outN, b);
        node.auxInt = new int[]{aZp};
        node.wZeroPoint = bZp;
    }

    private Node dense2(Op op, NodeProto n, int a, int in, int outN, Const b) {
        if (values.get(a).size != in || values.get(a).shape.length != 1) {
            throw new OnnxImportException("node '" + name(n) + "' (" + n.getOpType() + "): input does not match a [1, " + in + "] product");
        }
        Node node = emit(op, n, new int[]{a}, new int[]{outN}, new int[]{in, outN});
        node.weights = transpose(b.data, in, outN);
        return node;
    }

    private void unary(NodeProto n, Op op) {
        int x = dynamic(n.getInput(0), name(n));
        emit(op, n, new int[]{x}, values.get(x).shape, null);
    }

    private Node emit(Op op, NodeProto n, int[] inputs, int[] shape, int[] attrs) {
        return emitAs(op, n, n.getOutput(0), inputs, shape, attrs);
    }

    private Node emitAs(Op op, NodeProto n, String outName, int[] inputs, int[] shape, int[] attrs) {
        if (ids.containsKey(outName) || consts.containsKey(outName)) {
            throw new OnnxImportException("node '" + name(n) + "' writes '" + outName + "', which already exists");
        }
        int out;
        try {
            out = newValue(outName, shape, false);
        } catch (IllegalArgumentException e) {
            throw new OnnxImportException("node '" + name(n) + "': " + e.getMessage(), e);
        }
        ids.put(outName, out);
        Node node = new Node(op, name(n), inputs, out, attrs);
        nodes.add(node);
        return node;
    }

    private int newValue(String name, int[] shape, boolean isIds) {
        values.add(new Value(name, shape, isIds));
        if (values.size() > Graph.MAX_VALUES) {
            throw new OnnxImportException("graph has more than " + Graph.MAX_VALUES + " values");
        }
        return values.size() - 1;
    }

    private int dynamic(String name, String where) {
        Integer id = ids.get(name);
        if (id == null) {
            if (consts.containsKey(name)) {
                throw new OnnxImportException(where + ": '" + name + "' is a constant where a computed tensor is expected");
            }
            throw new OnnxImportException(where + ": tensor '" + name + "' is not produced before use (graph not topologically sorted, or a cycle)");
        }
        return id;
    }

    private Const constant(NodeProto n, int idx, String what) {
        if (n.getInputCount() <= idx || n.getInput(idx).isEmpty()) {
            throw new OnnxImportException("node '" + name(n) + "' (" + n.getOpType() + "): missing input " + what);
        }
        Const c = consts.get(n.getInput(idx));
        if (c == null) {
            throw new OnnxImportException("node '" + name(n) + "' (" + n.getOpType() + "): " + what + " must be a constant (initializer)");
        }
        return c;
    }

    private float scalar(NodeProto n, int idx, String what) {
        Const c = constant(n, idx, what);
        if (c.size() != 1 || !(c.data[0] > 0)) {
            throw new OnnxImportException("node '" + name(n) + "' (" + n.getOpType() + "): " + what + " must be one positive value");
        }
        return (float) c.data[0];
    }

    private void putConst(String name, TensorProto t) {
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        consts.put(name, new Const(OnnxTensors.toDoubles(t), dims, t.getDataType()));
    }

    private static OnnxImportException unsupported(NodeProto n) {
        String domain = n.getDomain().isEmpty() ? "" : " (domain " + n.getDomain() + ")";
        return new OnnxImportException("node '" + name(n) + "' uses operator '" + n.getOpType() + "'" + domain
                + ", which this runtime does not support");
    }

    private static String name(NodeProto n) {
        return n.getName().isEmpty() ? n.getOpType() + "->" + (n.getOutputCount() > 0 ? n.getOutput(0) : "?") : n.getName();
    }

    private static AttributeProto attr(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        return null;
    }

    private static long intAttr(NodeProto n, String name, long dflt) {
        AttributeProto a = attr(n, name);
        return a == null ? dflt : a.getI();
    }

    private static float floatAttr(NodeProto n, String name, float dflt) {
        AttributeProto a = attr(n, name);
        return a == null ? dflt : a.getF();
    }

    private static long[] intsAttr(NodeProto n, String name) {
        AttributeProto a = attr(n, name);
        return a == null ? null : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    private static int[] toInts(double[] d) {
        int[] r = new int[d.length];
        for (int i = 0; i < d.length; i++) {
            r[i] = (int) d[i];
        }
        return r;
    }

    /** [rows][cols] row-major -> [cols][rows], as float. */
    private static float[] transpose(double[] d, int rows, int cols) {
        if ((long) rows * cols != d.length) {
            throw new OnnxImportException("matrix of " + d.length + " elements is not " + rows + "x" + cols);
        }
        float[] t = new float[d.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = (float) d[r * cols + c];
            }
        }
        return t;
    }
}
