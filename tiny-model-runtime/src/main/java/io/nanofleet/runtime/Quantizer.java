package io.nanofleet.runtime;

import io.nanofleet.runtime.ir.Graph;
import io.nanofleet.runtime.ir.Node;
import io.nanofleet.runtime.ir.Op;
import io.nanofleet.runtime.ir.QuantParams;
import io.nanofleet.runtime.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * Post-training int8 quantization, TFLite style: weights symmetric per output channel in [-127, 127],
 * activations asymmetric per tensor from calibration ranges, int32 biases with scale in_scale * w_scale[c],
 * ReLU after Dense/Conv1D folded into the requantization clamp.
 *
 * <pre>{@code
 * Quantizer.Result r = Quantizer.percentile(99.99).quantize(floatModel, calibrationRows);
 * Model int8 = r.model();
 * r.report().forEach(System.out::println);
 * }</pre>
 */
public final class Quantizer {
    /** Per-node error of the int8 model against the float model on the calibration rows (real units). */
    public record LayerError(String node, Op op, float maxAbsError, float rmse, float floatRange) {
        @Override
        public String toString() {
            return String.format("%-18s %-14s maxAbs=%.5f rmse=%.5f range=%.4f", node, op, maxAbsError, rmse, floatRange);
        }
    }

    public record Result(Model model, List<LayerError> report) {
    }

    /** Values kept per tensor for percentile calibration; beyond it rows are subsampled evenly. */
    private static final int PERCENTILE_SAMPLE_CAP = 200_000;
    private final double percentile;

    private Quantizer(double percentile) {
        this.percentile = percentile;
    }

    /** Ranges are the observed min and max. */
    public static Quantizer minMax() {
        return new Quantizer(100.0);
    }

    /** Ranges are the [100 - p, p] percentiles (e.g. 99.99), clipping rare outliers for a finer scale. */
    public static Quantizer percentile(double p) {
        if (!(p > 50.0 && p <= 100.0)) {
            throw new IllegalArgumentException("percentile must be in (50, 100], was " + p);
        }
        return new Quantizer(p);
    }

    public Result quantize(Model floatModel, float[][] calibration) {
        if (floatModel.isQuantized()) {
            throw new IllegalArgumentException("model is already quantized");
        }
        Graph src = floatModel.graph();
        for (Node n : src.nodes()) {
            if (n.op.code > Op.EMBEDDING_BAG.code) {
                throw new IllegalArgumentException("node '" + n.name + "' (" + n.op + ") is already an ONNX quantization op; "
                        + "quantize the float graph instead");
            }
        }
        if (src.inputs().length != 1) {
            throw new IllegalArgumentException("the quantizer supports single-input models");
        }
        if (calibration.length == 0) {
            throw new IllegalArgumentException("calibration data is empty");
        }
        for (int i = 0; i < calibration.length; i++) {
            if (calibration[i].length != floatModel.inputSize()) {
                throw new IllegalArgumentException("calibration row " + i + " has " + calibration[i].length
                        + " values, the model expects " + floatModel.inputSize());
            }
        }
        float[][] ranges = ranges(floatModel, calibration);
        Graph g = fuseRelu(src.copy());
        for (int v = 0; v < g.values().size(); v++) {
            Value val = g.value(v);
            if (!val.ids) {
                val.quant = QuantParams.forRange(ranges[v][0], ranges[v][1]);
            }
        }
        for (Node n : g.nodes()) {
            Value out = g.value(n.output);
            switch (n.op) {
                case SOFTMAX -> out.quant = new QuantParams(1f / 256f, -128);
                case RESHAPE -> out.quant = g.value(n.inputs[0]).quant;
                case DENSE -> quantizeWeights(n, g.value(n.inputs[0]).quant, n.attrs[1]);
                case CONV1D -> quantizeWeights(n, g.value(n.inputs[0]).quant, n.attrs[1]);
                case EMBEDDING_BAG -> {
                    n.wScale = new float[]{symmetricScale(n.weights, 0, n.weights.length)};
                    n.qWeights = quantizeSymmetric(n.weights, 0, n.weights.length, n.wScale[0], new byte[n.weights.length]);
                    n.weights = null;
                }
                default -> {
                }
            }
        }
        // Values no node produces any more (pre-ReLU outputs that were fused) carry no quantization.
        Graph quantized = new Graph(g.values(), g.nodes(), g.inputs(), g.outputs());
        Model model = new Model(quantized, floatModel.metadata());
        return new Result(model, report(floatModel, model, calibration));
    }

    private static void quantizeWeights(Node n, QuantParams in, int channels) {
        int per = n.weights.length / channels;
        n.wScale = new float[channels];
        n.qWeights = new byte[n.weights.length];
        n.qBias = new int[channels];
        for (int c = 0; c < channels; c++) {
            float s = symmetricScale(n.weights, c * per, per);
            n.wScale[c] = s;
            quantizeSymmetric(n.weights, c * per, per, s, n.qWeights);
            double biasScale = (double) in.scale() * s;
            // roundHalfAwayFromZero saturates at the int32 range, as TFLite's bias quantization does.
            n.qBias[c] = FixedPoint.roundHalfAwayFromZero(n.bias[c] / biasScale);
        }
        n.weights = null;
        n.bias = null;
    }

    private static float symmetricScale(float[] w, int from, int len) {
        float maxAbs = 0f;
        for (int i = from; i < from + len; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(w[i]));
        }
        return maxAbs == 0f ? 1f : maxAbs / 127f;
    }

    private static byte[] quantizeSymmetric(float[] w, int from, int len, float scale, byte[] dst) {
        for (int i = from; i < from + len; i++) {
            int q = FixedPoint.roundHalfAwayFromZero((double) w[i] / scale);
            dst[i] = (byte) Math.max(-127, Math.min(127, q));
        }
        return dst;
    }

    /** Dense/Conv1D whose only reader is a ReLU write the ReLU's output directly, clamping at the zero point. */
    private static Graph fuseRelu(Graph g) {
        int[] consumers = g.consumerCounts();
        int[] producers = g.producers();
        List<Node> out = new ArrayList<>();
        boolean[] drop = new boolean[g.nodes().size()];
        List<Node> nodes = g.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (n.op == Op.RELU) {
                int p = producers[n.inputs[0]];
                if (p >= 0 && consumers[n.inputs[0]] == 1 && (nodes.get(p).op == Op.DENSE || nodes.get(p).op == Op.CONV1D)) {
                    drop[i] = true;
                }
            }
        }
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (drop[i]) {
                continue;
            }
            Node relu = null;
            for (int j = 0; j < nodes.size(); j++) {
                if (drop[j] && nodes.get(j).inputs[0] == n.output) {
                    relu = nodes.get(j);
                }
            }
            if (relu == null) {
                out.add(n);
            } else {
                Node fused = new Node(n.op, n.name, n.inputs, relu.output, n.attrs);
                fused.weights = n.weights;
                fused.bias = n.bias;
                fused.fusedActivation = Op.RELU;
                out.add(fused);
            }
        }
        return new Graph(g.values(), out, g.inputs(), g.outputs());
    }

    /** [min, max] (or percentiles) of every value over the calibration rows. */
    private float[][] ranges(Model m, float[][] calibration) {
        Graph g = m.graph();
        int nv = g.values().size();
        Interpreter it = new Interpreter(m, true);
        float[][] r = new float[nv][];
        for (int v = 0; v < nv; v++) {
            r[v] = new float[]{Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        }
        boolean pct = percentile < 100.0;
        float[][] samples = pct ? new float[nv][] : null;
        int[] filled = new int[nv];
        int[] every = new int[nv];
        if (pct) {
            for (int v = 0; v < nv; v++) {
                long total = (long) g.value(v).size * calibration.length;
                every[v] = (int) Math.max(1, (total + PERCENTILE_SAMPLE_CAP - 1) / PERCENTILE_SAMPLE_CAP);
                samples[v] = new float[(int) Math.min(total, PERCENTILE_SAMPLE_CAP)];
            }
        }
        long[] seen = new long[nv];
        for (float[] row : calibration) {
            it.run(row);
            for (int v = 0; v < nv; v++) {
                float[] buf = it.floatBuffer(v);
                if (buf == null || g.value(v).ids) {
                    continue;
                }
                int size = g.value(v).size;
                for (int i = 0; i < size; i++) {
                    float x = buf[i];
                    if (!Float.isFinite(x)) {
                        throw new IllegalArgumentException("non-finite activation in '" + g.value(v).name + "' during calibration");
                    }
                    r[v][0] = Math.min(r[v][0], x);
                    r[v][1] = Math.max(r[v][1], x);
                    if (pct && seen[v]++ % every[v] == 0 && filled[v] < samples[v].length) {
                        samples[v][filled[v]++] = x;
                    }
                }
            }
        }
        if (pct) {
            for (int v = 0; v < nv; v++) {
                if (filled[v] > 0) {
                    float[] s = java.util.Arrays.copyOf(samples[v], filled[v]);
                    java.util.Arrays.sort(s);
                    int hiIdx = (int) Math.min(s.length - 1, Math.ceil(percentile / 100.0 * s.length) - 1);
                    int loIdx = (int) Math.max(0, Math.floor((100.0 - percentile) / 100.0 * s.length));
                    r[v][0] = s[loIdx];
                    r[v][1] = s[Math.max(hiIdx, loIdx)];
                }
            }
        }
        for (int v = 0; v < nv; v++) {
            if (r[v][0] > r[v][1]) {
                r[v][0] = 0f;
                r[v][1] = 0f;
            }
        }
        return r;
    }

    private static List<LayerError> report(Model floatModel, Model int8Model, float[][] calibration) {
        Interpreter fi = new Interpreter(floatModel, true);
        Interpreter qi = new Interpreter(int8Model, true);
        Graph g = int8Model.graph();
        List<Node> nodes = g.nodes();
        int k = nodes.size();
        double[] maxAbs = new double[k], sq = new double[k];
        float[] lo = new float[k], hi = new float[k];
        java.util.Arrays.fill(lo, Float.POSITIVE_INFINITY);
        java.util.Arrays.fill(hi, Float.NEGATIVE_INFINITY);
        long[] count = new long[k];
        int rows = Math.min(calibration.length, 1000);
        float[] tmp = new float[maxSize(g)];
        for (int r = 0; r < rows; r++) {
            fi.run(calibration[r]);
            qi.run(calibration[r]);
            for (int i = 0; i < k; i++) {
                int v = nodes.get(i).output;
                float[] ref = fi.floatBuffer(v);
                qi.valueAsFloat(v, tmp);
                for (int j = 0; j < g.value(v).size; j++) {
                    double d = Math.abs(tmp[j] - ref[j]);
                    maxAbs[i] = Math.max(maxAbs[i], d);
                    sq[i] += d * d;
                    lo[i] = Math.min(lo[i], ref[j]);
                    hi[i] = Math.max(hi[i], ref[j]);
                }
                count[i] += g.value(v).size;
            }
        }
        List<LayerError> out = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            Node n = nodes.get(i);
            out.add(new LayerError(n.name + (n.fusedActivation == null ? "" : "+relu"), n.op, (float) maxAbs[i],
                    (float) Math.sqrt(sq[i] / count[i]), hi[i] - lo[i]));
        }
        return List.copyOf(out);
    }

    private static int maxSize(Graph g) {
        int m = 0;
        for (Value v : g.values()) {
            m = Math.max(m, v.size);
        }
        return m;
    }
}
