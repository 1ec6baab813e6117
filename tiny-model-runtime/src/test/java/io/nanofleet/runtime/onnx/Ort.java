package io.nanofleet.runtime.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Map;

/** ONNX Runtime session on one intra-op thread, fed batch-1 float or id inputs. */
public final class Ort implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final String inputName;
    private final long[] shape;

    public Ort(byte[] onnx, int[] shapeWithoutBatch) throws OrtException {
        this(onnx, shapeWithoutBatch, OrtSession.SessionOptions.OptLevel.ALL_OPT);
    }

    public Ort(byte[] onnx, int[] shapeWithoutBatch, OrtSession.SessionOptions.OptLevel level) throws OrtException {
        OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
        opts.setOptimizationLevel(level);
        opts.setIntraOpNumThreads(1);
        opts.setInterOpNumThreads(1);
        session = env.createSession(onnx, opts);
        inputName = session.getInputNames().iterator().next();
        shape = new long[shapeWithoutBatch.length + 1];
        shape[0] = 1;
        for (int i = 0; i < shapeWithoutBatch.length; i++) {
            shape[i + 1] = shapeWithoutBatch[i];
        }
    }

    public float[] run(float[] x) throws OrtException {
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
             OrtSession.Result r = session.run(Map.of(inputName, t))) {
            return flat(r);
        }
    }

    public float[] runIds(float[] ids) throws OrtException {
        long[] l = new long[ids.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = (long) ids[i];
        }
        try (OnnxTensor t = OnnxTensor.createTensor(env, LongBuffer.wrap(l), shape);
             OrtSession.Result r = session.run(Map.of(inputName, t))) {
            return flat(r);
        }
    }

    /** Runs with a caller-owned, reusable input tensor (what the benchmark uses to keep ORT's overhead minimal). */
    public OrtSession session() {
        return session;
    }

    public String inputName() {
        return inputName;
    }

    public long[] shape() {
        return shape.clone();
    }

    private static float[] flat(OrtSession.Result r) throws OrtException {
        OnnxTensor out = (OnnxTensor) r.get(0);
        if (out.getInfo().type == ai.onnxruntime.OnnxJavaType.INT32) {
            java.nio.IntBuffer ib = out.getIntBuffer();
            float[] y = new float[ib.remaining()];
            for (int i = 0; i < y.length; i++) {
                y[i] = ib.get(i);
            }
            return y;
        }
        FloatBuffer fb = out.getFloatBuffer();
        float[] y = new float[fb.remaining()];
        fb.get(y);
        return y;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
