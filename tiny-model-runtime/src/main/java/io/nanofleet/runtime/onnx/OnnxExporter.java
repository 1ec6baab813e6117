package io.nanofleet.runtime.onnx;

import io.nanofleet.runtime.Model;
import io.nanofleet.runtime.ir.Graph;
import io.nanofleet.runtime.ir.Node;
import io.nanofleet.runtime.ir.Op;
import io.nanofleet.runtime.ir.QuantParams;
import io.nanofleet.runtime.ir.Value;
import io.nanofleet.runtime.onnx.proto.Onnx.AttributeProto;
import io.nanofleet.runtime.onnx.proto.Onnx.GraphProto;
import io.nanofleet.runtime.onnx.proto.Onnx.ModelProto;
import io.nanofleet.runtime.onnx.proto.Onnx.NodeProto;
import io.nanofleet.runtime.onnx.proto.Onnx.OperatorSetIdProto;
import io.nanofleet.runtime.onnx.proto.Onnx.StringStringEntryProto;
import io.nanofleet.runtime.onnx.proto.Onnx.TensorProto;
import io.nanofleet.runtime.onnx.proto.Onnx.TensorShapeProto;
import io.nanofleet.runtime.onnx.proto.Onnx.TypeProto;
import io.nanofleet.runtime.onnx.proto.Onnx.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Writes a runtime model as a standard ONNX file (opset 13, batch dimension 1) so it can be inspected with
 * Netron or run in ONNX Runtime. Float models become Gemm/Conv/...; int8 models become a QDQ graph:
 * int8 weights and int32 biases behind DequantizeLinear, every int8 activation as a QuantizeLinear /
 * DequantizeLinear pair with the runtime's scale and zero point.
 */
public final class OnnxExporter {
    static final int OPSET = 13;
    static final long IR_VERSION = 8;

    private final Graph g;
    private final boolean qdq;
    private final GraphProto.Builder gb = GraphProto.newBuilder().setName("nanofleet");
    private final String[] names;
    private int counter;

    private OnnxExporter(Model model) {
        this.g = model.graph();
        this.qdq = model.isQuantized();
        this.names = new String[g.values().size()];
    }

    public static void write(Model model, Path path) throws IOException {
        Files.write(path, toBytes(model));
    }

    public static byte[] toBytes(Model model) {
        return new OnnxExporter(model).export(model).toByteArray();
    }

    private ModelProto export(Model model) {
        for (int in : g.inputs()) {
            Value v = g.value(in);
            String name = clean(v.name);
            gb.addInput(valueInfo(name, v.ids ? OnnxTensors.INT64 : OnnxTensors.FLOAT, v.shape));
            names[in] = qdq && v.quant != null ? qdqPair(name, v.quant) : name;
        }
        for (Node n : g.nodes()) {
            exportNode(n);
        }
        for (int out : g.outputs()) {
            Value v = g.value(out);
            String name = clean(v.name) + "_output";
            gb.addNode(node("Identity", new String[]{names[out]}, name));
            gb.addOutput(valueInfo(name, OnnxTensors.FLOAT, v.shape));
        }
        ModelProto.Builder mb = ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("nanofleet-tiny-model-runtime")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET)).setGraph(gb);
        if (!model.metadata().kind().isEmpty()) {
            mb.addMetadataProps(StringStringEntryProto.newBuilder().setKey("nanofleet.kind").setValue(model.metadata().kind()));
        }
        model.metadata().properties().forEach((k, v) -> mb.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return mb.build();
    }

    private void exportNode(Node n) {
        Value outV = g.value(n.output);
        String x = names[n.inputs[0]];
        String base = clean(n.name);
        String y;
        switch (n.op) {
            case DENSE -> {
                int in = n.attrs[0], out = n.attrs[1];
                String x2 = g.value(n.inputs[0]).shape.length == 1 ? x : flatten(x);
                String w = weights(n, base, new long[]{out, in});
                String b = bias(n, base, out);
                y = fresh(base);
                gb.addNode(node("Gemm", new String[]{x2, w, b}, y).toBuilder().addAttribute(intAttr("transB", 1)).build());
            }
            case CONV1D -> {
                int inC = n.attrs[0], outC = n.attrs[1], k = n.attrs[2];
                String w = weights(n, base, new long[]{outC, inC, k});
                String b = bias(n, base, outC);
                y = fresh(base);
                gb.addNode(node("Conv", new String[]{x, w, b}, y).toBuilder()
                        .addAttribute(intsAttr("kernel_shape", k)).addAttribute(intsAttr("strides", n.attrs[3]))
                        .addAttribute(intsAttr("pads", n.attrs[4], n.attrs[4])).build());
            }
            case RELU, TANH, SIGMOID -> {
                y = fresh(base);
                gb.addNode(node(n.op == Op.RELU ? "Relu" : n.op == Op.TANH ? "Tanh" : "Sigmoid", new String[]{x}, y));
            }
            case SOFTMAX -> {
                boolean flat = outV.shape.length == 1;
                String in = flat ? x : reshape(x, new int[]{outV.size});
                String s = fresh(base);
                gb.addNode(node("Softmax", new String[]{in}, s).toBuilder().addAttribute(intAttr("axis", -1)).build());
                y = flat ? s : reshape(s, outV.shape);
            }
            case ADD -> {
                String b = names[n.inputs[1]];
                if (!Arrays.equals(g.value(n.inputs[1]).shape, outV.shape)) {
                    b = reshape(b, outV.shape);
                }
                String a = Arrays.equals(g.value(n.inputs[0]).shape, outV.shape) ? x : reshape(x, outV.shape);
                y = fresh(base);
                gb.addNode(node("Add", new String[]{a, b}, y));
            }
            case CONCAT -> {
                String[] ins = new String[n.inputs.length];
                for (int i = 0; i < ins.length; i++) {
                    ins[i] = names[n.inputs[i]];
                }
                y = fresh(base);
                gb.addNode(node("Concat", ins, y).toBuilder().addAttribute(intAttr("axis", 1)).build());
            }
            case RESHAPE -> y = reshape(x, outV.shape);
            case EMBEDDING_BAG -> {
                int vocab = n.attrs[0], dim = n.attrs[1];
                String table = fresh(base + "_table");
                if (n.qWeights != null) {
                    String q = fresh(base + "_table_q");
                    gb.addInitializer(OnnxTensors.int8s(q, n.qWeights, vocab, dim));
                    String s = constant(base + "_table_scale", n.wScale[0]);
                    gb.addNode(node("DequantizeLinear", new String[]{q, s}, table));
                } else {
                    gb.addInitializer(OnnxTensors.floats(table, n.weights, vocab, dim));
                }
                String gathered = fresh(base + "_rows");
                gb.addNode(node("Gather", new String[]{table, x}, gathered).toBuilder().addAttribute(intAttr("axis", 0)).build());
                y = fresh(base);
                gb.addNode(node("ReduceMean", new String[]{gathered}, y).toBuilder()
                        .addAttribute(intsAttr("axes", 1)).addAttribute(intAttr("keepdims", 0)).build());
            }
            default -> throw new IllegalArgumentException("node '" + n.name + "': " + n.op + " has no ONNX export; export the float model it came from");
        }
        if (n.fusedActivation == Op.RELU) {
            String r = fresh(base + "_relu");
            gb.addNode(node("Relu", new String[]{y}, r));
            y = r;
        }
        names[n.output] = qdq && outV.quant != null ? qdqPair(y, outV.quant) : y;
    }

    private String weights(Node n, String base, long[] dims) {
        String w = fresh(base + "_W");
        if (n.qWeights == null) {
            gb.addInitializer(OnnxTensors.floats(w, n.weights, dims));
            return w;
        }
        String q = fresh(base + "_W_q");
        gb.addInitializer(OnnxTensors.int8s(q, n.qWeights, dims));
        String s = fresh(base + "_W_scale");
        gb.addInitializer(OnnxTensors.floats(s, channelScales(n.wScale, (int) dims[0]), dims[0]));
        String zp = fresh(base + "_W_zp");
        gb.addInitializer(OnnxTensors.int8s(zp, new byte[(int) dims[0]], dims[0]));
        gb.addNode(node("DequantizeLinear", new String[]{q, s, zp}, w).toBuilder().addAttribute(intAttr("axis", 0)).build());
        return w;
    }

    private String bias(Node n, String base, int channels) {
        String b = fresh(base + "_b");
        if (n.qBias == null) {
            gb.addInitializer(OnnxTensors.floats(b, n.bias, channels));
            return b;
        }
        float inScale = g.value(n.inputs[0]).quant.scale();
        float[] ws = channelScales(n.wScale, channels);
        float[] s = new float[channels];
        for (int c = 0; c < channels; c++) {
            s[c] = inScale * ws[c];
        }
        String q = fresh(base + "_b_q");
        gb.addInitializer(OnnxTensors.int32s(q, n.qBias, channels));
        String sName = fresh(base + "_b_scale");
        gb.addInitializer(OnnxTensors.floats(sName, s, channels));
        gb.addNode(node("DequantizeLinear", new String[]{q, sName}, b).toBuilder().addAttribute(intAttr("axis", 0)).build());
        return b;
    }

    private static float[] channelScales(float[] s, int channels) {
        if (s.length == channels) {
            return s;
        }
        float[] r = new float[channels];
        Arrays.fill(r, s[0]);
        return r;
    }

    private String qdqPair(String x, QuantParams p) {
        String s = constant(x + "_scale", p.scale());
        String zp = fresh(x + "_zp");
        gb.addInitializer(OnnxTensors.int8s(zp, new byte[]{(byte) p.zeroPoint()}));
        String q = fresh(x + "_q");
        gb.addNode(node("QuantizeLinear", new String[]{x, s, zp}, q));
        String dq = fresh(x + "_dq");
        gb.addNode(node("DequantizeLinear", new String[]{q, s, zp}, dq));
        return dq;
    }

    private String constant(String base, float v) {
        String name = fresh(base);
        gb.addInitializer(OnnxTensors.floats(name, new float[]{v}));
        return name;
    }

    private String flatten(String x) {
        String y = fresh(x + "_flat");
        gb.addNode(node("Flatten", new String[]{x}, y).toBuilder().addAttribute(intAttr("axis", 1)).build());
        return y;
    }

    private String reshape(String x, int[] shape) {
        long[] dims = new long[shape.length + 1];
        dims[0] = 1;
        for (int i = 0; i < shape.length; i++) {
            dims[i + 1] = shape[i];
        }
        String s = fresh(x + "_shape");
        gb.addInitializer(OnnxTensors.int64s(s, dims, dims.length));
        String y = fresh(x + "_reshaped");
        gb.addNode(node("Reshape", new String[]{x, s}, y));
        return y;
    }

    private NodeProto node(String op, String[] inputs, String output) {
        NodeProto.Builder b = NodeProto.newBuilder().setOpType(op).setName(output + "_" + op).addOutput(output);
        for (String i : inputs) {
            b.addInput(i);
        }
        return b.build();
    }

    private String fresh(String base) {
        return clean(base) + "_" + (counter++);
    }

    private static String clean(String s) {
        return s.replaceAll("[^A-Za-z0-9_]", "_");
    }

    private static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    private static AttributeProto intsAttr(String name, long... v) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) {
            b.addInts(x);
        }
        return b.build();
    }

    static ValueInfoProto valueInfo(String name, int elemType, int[] shape) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(1));
        for (int d : shape) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(s))).build();
    }
}
