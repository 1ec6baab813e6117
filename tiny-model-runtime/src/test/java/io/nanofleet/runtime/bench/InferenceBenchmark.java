package io.nanofleet.runtime.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.nanofleet.runtime.Interpreter;
import io.nanofleet.runtime.Model;
import io.nanofleet.runtime.Quantizer;
import io.nanofleet.runtime.TestModels;
import io.nanofleet.runtime.onnx.OnnxExporter;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Batch-1 latency of the same graph in this runtime (float, int8) and in ONNX Runtime (float graph, and the
 * int8 model exported as QDQ), ORT on one intra-op thread with a reused input tensor.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class InferenceBenchmark {
    @Param({"dense-1.5k", "dense-20k", "conv-ae"})
    public String model;

    private Interpreter floatInterp;
    private Interpreter int8Interp;
    private OrtEnvironment env;
    private OrtSession ortFloat;
    private OrtSession ortQdq;
    private OnnxTensor ortInput;
    private OnnxTensor ortOut;
    private OnnxTensor qdqOut;
    private FloatBuffer ortOutBuf;
    private FloatBuffer qdqOutBuf;
    private Map<String, OnnxTensor> floatIn;
    private Map<String, OnnxTensor> qdqIn;
    private Map<String, OnnxTensor> floatPinned;
    private Map<String, OnnxTensor> qdqPinned;
    private float[] sample;

    static Model model(String name) {
        return switch (name) {
            case "dense-1.5k" -> TestModels.denseAutoencoder(1);
            case "dense-20k" -> TestModels.denseMedium(1);
            case "conv-ae" -> TestModels.convAutoencoder(1);
            default -> throw new IllegalArgumentException(name);
        };
    }

    @Setup(Level.Trial)
    public void setup() throws OrtException {
        Model m = model(model);
        float[][] calib = TestModels.sines(256, m.inputSize(), 2);
        Model q = Quantizer.minMax().quantize(m, calib).model();
        floatInterp = new Interpreter(m);
        int8Interp = new Interpreter(q);
        sample = calib[3];
        System.arraycopy(sample, 0, floatInterp.input(), 0, sample.length);
        System.arraycopy(sample, 0, int8Interp.input(), 0, sample.length);
        env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
        opts.setIntraOpNumThreads(1);
        opts.setInterOpNumThreads(1);
        opts.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        ortFloat = env.createSession(OnnxExporter.toBytes(m), opts);
        ortQdq = env.createSession(OnnxExporter.toBytes(q), opts);
        // Direct buffers for input and pinned output: ORT reads and writes them in place, no per-call copies.
        FloatBuffer in = direct(sample.length);
        in.put(sample).rewind();
        ortInput = OnnxTensor.createTensor(env, in, shape(m.inputShape()));
        ortOutBuf = direct(m.outputSize());
        qdqOutBuf = direct(m.outputSize());
        ortOut = OnnxTensor.createTensor(env, ortOutBuf, shape(m.outputShape()));
        qdqOut = OnnxTensor.createTensor(env, qdqOutBuf, shape(m.outputShape()));
        floatIn = Map.of(ortFloat.getInputNames().iterator().next(), ortInput);
        qdqIn = Map.of(ortQdq.getInputNames().iterator().next(), ortInput);
        floatPinned = Map.of(ortFloat.getOutputNames().iterator().next(), ortOut);
        qdqPinned = Map.of(ortQdq.getOutputNames().iterator().next(), qdqOut);
    }

    private static FloatBuffer direct(int n) {
        return java.nio.ByteBuffer.allocateDirect(4 * n).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private static long[] shape(int[] s) {
        long[] shape = new long[s.length + 1];
        shape[0] = 1;
        for (int i = 0; i < s.length; i++) {
            shape[i + 1] = s[i];
        }
        return shape;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        ortInput.close();
        ortOut.close();
        qdqOut.close();
        ortFloat.close();
        ortQdq.close();
    }

    @Benchmark
    public float nanofleetFloat() {
        floatInterp.run();
        return floatInterp.output()[0];
    }

    @Benchmark
    public float nanofleetInt8() {
        int8Interp.run();
        return int8Interp.output()[0];
    }

    @Benchmark
    public float ortFloat() throws OrtException {
        try (OrtSession.Result r = ortFloat.run(floatIn, floatPinned)) {
            return ortOutBuf.get(0);
        }
    }

    @Benchmark
    public float ortQdq() throws OrtException {
        try (OrtSession.Result r = ortQdq.run(qdqIn, qdqPinned)) {
            return qdqOutBuf.get(0);
        }
    }
}
