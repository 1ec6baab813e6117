package io.nanofleet.runtime.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.runtime.Interpreter;
import io.nanofleet.runtime.Model;
import io.nanofleet.runtime.TestModels;
import io.nanofleet.runtime.onnx.proto.Onnx.GraphProto;
import io.nanofleet.runtime.onnx.proto.Onnx.ModelProto;
import io.nanofleet.runtime.onnx.proto.Onnx.NodeProto;
import io.nanofleet.runtime.onnx.proto.Onnx.OperatorSetIdProto;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Hand-built ONNX graphs with QLinearMatMul / MatMulInteger, checked against ONNX Runtime. */
class OnnxQuantOpsTest {
    private static final int IN = 24;
    private static final int OUT = 10;

    @Test
    void qlinearMatMulMatchesOrtExactly() throws Exception {
        byte[] onnx = model(GraphProto.newBuilder()
                .addInput(OnnxExporter.valueInfo("x", OnnxTensors.FLOAT, new int[]{IN}))
                .addInitializer(OnnxTensors.floats("xs", new float[]{0.02f}))
                .addInitializer(OnnxTensors.uint8s("xz", new byte[]{(byte) 128}))
                .addInitializer(OnnxTensors.uint8s("b", randomBytes(IN * OUT, 3), IN, OUT))
                .addInitializer(OnnxTensors.floats("bs", new float[]{0.01f}))
                .addInitializer(OnnxTensors.uint8s("bz", new byte[]{(byte) 120}))
                .addInitializer(OnnxTensors.floats("ys", new float[]{0.05f}))
                .addInitializer(OnnxTensors.uint8s("yz", new byte[]{(byte) 100}))
                .addNode(node("QuantizeLinear", "xq", "x", "xs", "xz"))
                .addNode(node("QLinearMatMul", "yq", "xq", "xs", "xz", "b", "bs", "bz", "ys", "yz"))
                .addNode(node("DequantizeLinear", "y", "yq", "ys", "yz"))
                .addOutput(OnnxExporter.valueInfo("y", OnnxTensors.FLOAT, new int[]{OUT})).build());
        compare(onnx);
    }

    @Test
    void matMulIntegerMatchesOrtExactly() throws Exception {
        byte[] onnx = model(GraphProto.newBuilder()
                .addInput(OnnxExporter.valueInfo("x", OnnxTensors.FLOAT, new int[]{IN}))
                .addInitializer(OnnxTensors.floats("xs", new float[]{0.02f}))
                .addInitializer(OnnxTensors.uint8s("xz", new byte[]{(byte) 128}))
                .addInitializer(OnnxTensors.uint8s("b", randomBytes(IN * OUT, 4), IN, OUT))
                .addInitializer(OnnxTensors.uint8s("bz", new byte[]{(byte) 131}))
                .addNode(node("QuantizeLinear", "xq", "x", "xs", "xz"))
                .addNode(node("MatMulInteger", "y", "xq", "b", "xz", "bz"))
                .addOutput(OnnxExporter.valueInfo("y", OnnxTensors.INT32, new int[]{OUT})).build());
        compare(onnx);
    }

    @Test
    void unsupportedOperatorNamesNodeAndOperator() {
        byte[] onnx = model(GraphProto.newBuilder()
                .addInput(OnnxExporter.valueInfo("x", OnnxTensors.FLOAT, new int[]{4}))
                .addNode(node("LeakyRelu", "y", "x").toBuilder().setName("act7").build())
                .addOutput(OnnxExporter.valueInfo("y", OnnxTensors.FLOAT, new int[]{4})).build());
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxImporter.fromBytes(onnx));
        assertTrue(e.getMessage().contains("'act7'") && e.getMessage().contains("'LeakyRelu'"), e.getMessage());
    }

    @Test
    void garbageAndCyclesAreRejected() {
        assertThrows(OnnxImportException.class, () -> OnnxImporter.fromBytes(new byte[]{8, (byte) 0xFF, (byte) 0xFF, 1}));
        byte[] cyclic = model(GraphProto.newBuilder()
                .addInput(OnnxExporter.valueInfo("x", OnnxTensors.FLOAT, new int[]{4}))
                .addNode(node("Add", "a", "x", "b"))
                .addNode(node("Relu", "b", "a"))
                .addOutput(OnnxExporter.valueInfo("b", OnnxTensors.FLOAT, new int[]{4})).build());
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxImporter.fromBytes(cyclic));
        assertTrue(e.getMessage().contains("cycle"), e.getMessage());
    }

    private static void compare(byte[] onnx) throws Exception {
        Model m = OnnxImporter.fromBytes(onnx);
        Interpreter it = new Interpreter(m);
        float[][] x = TestModels.gaussian(200, IN, 9);
        try (Ort ort = new Ort(onnx, new int[]{IN})) {
            for (float[] row : x) {
                assertArrayEquals(ort.run(row), it.run(row), 0f);
            }
        }
    }

    private static byte[] model(GraphProto g) {
        return ModelProto.newBuilder().setIrVersion(OnnxExporter.IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(OnnxExporter.OPSET)).setGraph(g).build().toByteArray();
    }

    private static NodeProto node(String op, String out, String... in) {
        NodeProto.Builder b = NodeProto.newBuilder().setOpType(op).addOutput(out);
        for (String i : in) {
            b.addInput(i);
        }
        return b.build();
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }
}
