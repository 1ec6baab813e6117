package io.nanofleet.runtime;

import io.nanofleet.runtime.ir.Graph;
import io.nanofleet.runtime.ir.Node;
import io.nanofleet.runtime.ir.Op;
import io.nanofleet.runtime.ir.ShapeCheck;
import io.nanofleet.runtime.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds a float model layer by layer. Layers return an int handle to their output tensor, so branches,
 * Add and Concat are plain method calls. Weights are initialised from the seed (Glorot-uniform for
 * Dense/embeddings, He-uniform for Conv1D), so the same calls with the same seed give the same model.
 *
 * <pre>{@code
 * ModelBuilder b = new ModelBuilder(42);
 * int x = b.input(8, 32);                 // 8 channels x 32 samples, channels-first
 * int h = b.relu(b.conv1d(x, 16, 5, 1, 2));
 * int z = b.dense(b.flatten(h), 8);
 * Model m = b.build(b.dense(b.tanh(z), 8 * 32));
 * }</pre>
 */
public final class ModelBuilder {
    private final SplittableRandom random;
    private final List<Value> values = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final List<Integer> inputs = new ArrayList<>();
    private ModelMetadata metadata = ModelMetadata.empty();

    public ModelBuilder(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** A float input tensor; shape excludes the batch dimension ([n] for vectors, [channels][length] for Conv1D). */
    public int input(int... shape) {
        int id = value("input" + inputs.size(), shape, false);
        inputs.add(id);
        return id;
    }

    /** An input of {@code count} integer ids (carried as floats), for {@link #embeddingBag}. */
    public int idsInput(int count) {
        int id = value("ids" + inputs.size(), new int[]{count}, true);
        inputs.add(id);
        return id;
    }

    public int dense(int x, int units) {
        int in = size(x);
        Node n = node(Op.DENSE, "dense", new int[]{x}, new int[]{units}, new int[]{in, units});
        n.weights = uniform(in * units, Math.sqrt(6.0 / (in + units)));
        n.bias = new float[units];
        return n.output;
    }

    /** Conv1D over [inC][L]; output [filters][(L + 2*pad - kernel)/stride + 1]. */
    public int conv1d(int x, int filters, int kernel, int stride, int pad) {
        int[] s = shape(x);
        if (s.length != 2) {
            throw new IllegalArgumentException("conv1d needs a [channels][length] input, got " + Arrays.toString(s));
        }
        int lOut = ShapeCheck.conv1dOutLength(s[1], kernel, stride, pad);
        Node n = node(Op.CONV1D, "conv1d", new int[]{x}, new int[]{filters, lOut}, new int[]{s[0], filters, kernel, stride, pad});
        n.weights = uniform(filters * s[0] * kernel, Math.sqrt(6.0 / (s[0] * kernel)));
        n.bias = new float[filters];
        return n.output;
    }

    public int relu(int x) {
        return unary(Op.RELU, x);
    }

    public int tanh(int x) {
        return unary(Op.TANH, x);
    }

    public int sigmoid(int x) {
        return unary(Op.SIGMOID, x);
    }

    public int softmax(int x) {
        return unary(Op.SOFTMAX, x);
    }

    public int add(int a, int b) {
        if (size(a) != size(b)) {
            throw new IllegalArgumentException("add needs equal sizes: " + size(a) + " vs " + size(b));
        }
        return node(Op.ADD, "add", new int[]{a, b}, shape(a), null).output;
    }

    /** Concatenates along the first axis (channels for [C][L] tensors, elements for vectors). */
    public int concat(int... xs) {
        int[] first = shape(xs[0]);
        int total = 0;
        for (int x : xs) {
            int[] s = shape(x);
            if (s.length != first.length || !Arrays.equals(Arrays.copyOfRange(s, 1, s.length), Arrays.copyOfRange(first, 1, first.length))) {
                throw new IllegalArgumentException("concat inputs differ beyond the first axis: " + Arrays.toString(s) + " vs " + Arrays.toString(first));
            }
            total += s[0];
        }
        int[] out = first.clone();
        out[0] = total;
        return node(Op.CONCAT, "concat", xs, out, null).output;
    }

    public int reshape(int x, int... shape) {
        return node(Op.RESHAPE, "reshape", new int[]{x}, shape, null).output;
    }

    public int flatten(int x) {
        return reshape(x, size(x));
    }

    /** Mean of the embedding rows selected by the ids in {@code ids} (each in [0, vocab)). */
    public int embeddingBag(int ids, int vocab, int dim) {
        Node n = node(Op.EMBEDDING_BAG, "embedding_bag", new int[]{ids}, new int[]{dim}, new int[]{vocab, dim});
        n.weights = uniform(vocab * dim, Math.sqrt(6.0 / (vocab + dim)));
        return n.output;
    }

    public ModelBuilder metadata(ModelMetadata metadata) {
        this.metadata = metadata;
        return this;
    }

    public int[] shape(int x) {
        return values.get(x).shape.clone();
    }

    public int size(int x) {
        return values.get(x).size;
    }

    /** Builds the model with {@code output} as its single output. */
    public Model build(int output) {
        int[] in = inputs.stream().mapToInt(Integer::intValue).toArray();
        return new Model(new Graph(values, nodes, in, new int[]{output}), metadata);
    }

    private int unary(Op op, int x) {
        return node(op, op.name().toLowerCase(), new int[]{x}, shape(x), null).output;
    }

    private Node node(Op op, String kind, int[] in, int[] outShape, int[] attrs) {
        for (int i : in) {
            if (i < 0 || i >= values.size()) {
                throw new IllegalArgumentException("unknown tensor handle " + i);
            }
        }
        String name = kind + "_" + nodes.size();
        int out = value(name, outShape, false);
        Node n = new Node(op, name, in, out, attrs);
        nodes.add(n);
        return n;
    }

    private int value(String name, int[] shape, boolean ids) {
        values.add(new Value(name, shape, ids));
        return values.size() - 1;
    }

    private float[] uniform(int n, double limit) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
        }
        return w;
    }
}
