package io.nanofleet.runtime;

import io.nanofleet.runtime.ir.Graph;
import io.nanofleet.runtime.ir.Node;
import io.nanofleet.runtime.ir.Value;
import java.util.Arrays;

/**
 * Runs a {@link Model} with a memory plan fixed at construction: every buffer is allocated here, and
 * {@link #run()} allocates nothing. Write the input into {@link #input()}, call {@link #run()}, read
 * {@link #output()}. For int8 models the input is quantized (TFLite rounding, half away from zero) and the
 * output dequantized inside {@code run()}, so callers always see floats.
 *
 * <p>The interpreter snapshots the weights into kernel-friendly layouts when it is built: create it after
 * training. Not thread-safe: use one interpreter per thread (they can share the same {@link Model}).
 */
public final class Interpreter {
    private final Model model;
    private final Graph graph;
    private final float[][] f;
    private final byte[][] q;
    private final Runnable[] steps;
    private final int[] inputIds;
    private final int[] outputIds;

    public Interpreter(Model model) {
        this(model, false);
    }

    /** {@code keepAll} gives every value its own buffer so trainer and quantizer can read intermediate values. */
    Interpreter(Model model, boolean keepAll) {
        this.model = model;
        this.graph = model.graph();
        int nv = graph.values().size();
        this.inputIds = graph.inputs();
        this.outputIds = graph.outputs();
        MemoryPlan plan = new MemoryPlan(graph, keepAll);
        this.f = plan.floatBuffers();
        this.q = plan.int8Buffers();
        this.steps = new StepCompiler(graph, f, q, keepAll).compile();
        assert nv == f.length;
    }

    public Model model() {
        return model;
    }

    /** The buffer to write the (first) input into; its length is the model's input size. */
    public float[] input() {
        return f[inputIds[0]];
    }

    public float[] input(int i) {
        return f[inputIds[i]];
    }

    /** The buffer holding the (first) output after {@link #run()}; overwritten by the next run. */
    public float[] output() {
        return f[outputIds[0]];
    }

    public float[] output(int i) {
        return f[outputIds[i]];
    }

    public void run() {
        for (Runnable step : steps) {
            step.run();
        }
    }

    /** Copies {@code x} into the input buffer, runs, and returns the output buffer (not a copy). */
    public float[] run(float[] x) {
        float[] in = input();
        if (x.length != in.length) {
            throw new IllegalArgumentException("input has " + x.length + " values, the model expects " + in.length);
        }
        System.arraycopy(x, 0, in, 0, x.length);
        run();
        return output();
    }

    /** Float view of any value after a run (dequantized for int8 values); only for keepAll interpreters. */
    float[] valueAsFloat(int id, float[] dst) {
        Value v = graph.value(id);
        if (v.quant == null) {
            System.arraycopy(f[id], 0, dst, 0, v.size);
        } else {
            byte[] b = q[id];
            for (int i = 0; i < v.size; i++) {
                dst[i] = v.quant.dequantize(b[i]);
            }
        }
        return dst;
    }

    float[] floatBuffer(int id) {
        return f[id];
    }

    @Override
    public String toString() {
        return "Interpreter{" + graph.nodes().size() + " nodes, inputs=" + Arrays.toString(inputIds) + "}";
    }

    static boolean int8Kernel(Graph g, Node n) {
        return g.value(n.output).quant != null;
    }
}
