package io.nanofleet.runtime.ir;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A validated DAG of nodes over values, nodes in topological order. Construction checks everything an
 * interpreter relies on (every value produced once, shapes consistent, no cycles), so a graph read from an
 * untrusted file either validates or is rejected with {@link IllegalArgumentException}.
 */
public final class Graph {
    /** Hard cap on one tensor's element count (64 MB of floats). */
    public static final int MAX_ELEMENTS = 16 * 1024 * 1024;
    public static final int MAX_NODES = 10_000;
    public static final int MAX_VALUES = 20_000;
    /** Cap on the sum of all value sizes: activation shapes cost no file bytes, so they need their own bound. */
    public static final long MAX_TOTAL_ELEMENTS = 8L * 1024 * 1024;

    private final List<Value> values;
    private final List<Node> nodes;
    private final int[] inputs;
    private final int[] outputs;

    public Graph(List<Value> values, List<Node> nodes, int[] inputs, int[] outputs) {
        if (values.size() > MAX_VALUES || nodes.size() > MAX_NODES) {
            throw new IllegalArgumentException("graph too large: " + values.size() + " values, " + nodes.size() + " nodes");
        }
        long total = 0;
        for (Value v : values) {
            total += v.size;
        }
        if (total > MAX_TOTAL_ELEMENTS) {
            throw new IllegalArgumentException("graph tensors hold " + total + " elements in total, over the limit of " + MAX_TOTAL_ELEMENTS);
        }
        this.values = List.copyOf(values);
        this.inputs = inputs.clone();
        this.outputs = outputs.clone();
        this.nodes = Collections.unmodifiableList(topologicalOrder(nodes));
        for (Node n : this.nodes) {
            ShapeCheck.check(n, this);
        }
    }

    public List<Value> values() {
        return values;
    }

    public Value value(int id) {
        return values.get(id);
    }

    public List<Node> nodes() {
        return nodes;
    }

    public int[] inputs() {
        return inputs.clone();
    }

    public int[] outputs() {
        return outputs.clone();
    }

    public int input() {
        return inputs[0];
    }

    public int output() {
        return outputs[0];
    }

    /** Deep copy (values and nodes), so rewrites never touch the original. */
    public Graph copy() {
        List<Value> vs = new ArrayList<>();
        for (Value v : values) {
            Value c = new Value(v.name, v.shape, v.ids);
            c.quant = v.quant;
            vs.add(c);
        }
        List<Node> ns = new ArrayList<>();
        for (Node n : nodes) {
            ns.add(n.copy());
        }
        return new Graph(vs, ns, inputs, outputs);
    }

    public int parameterCount() {
        int n = 0;
        for (Node node : nodes) {
            n += node.parameterCount();
        }
        return n;
    }

    /** Node that produces each value, or -1 for graph inputs. */
    public int[] producers() {
        int[] p = new int[values.size()];
        Arrays.fill(p, -1);
        for (int i = 0; i < nodes.size(); i++) {
            p[nodes.get(i).output] = i;
        }
        return p;
    }

    /** Number of nodes reading each value (graph outputs count as one extra reader). */
    public int[] consumerCounts() {
        int[] c = new int[values.size()];
        for (Node n : nodes) {
            for (int in : n.inputs) {
                c[in]++;
            }
        }
        for (int o : outputs) {
            c[o]++;
        }
        return c;
    }

    // Kahn's algorithm; anything left over sits on a cycle (or reads a value nobody produces).
    private List<Node> topologicalOrder(List<Node> unordered) {
        int nv = values.size();
        int[] producer = new int[nv];
        Arrays.fill(producer, -1);
        boolean[] isInput = new boolean[nv];
        if (inputs.length == 0 || outputs.length == 0) {
            throw new IllegalArgumentException("graph needs at least one input and one output");
        }
        for (int in : inputs) {
            checkId(in, "graph input");
            isInput[in] = true;
        }
        for (int i = 0; i < unordered.size(); i++) {
            Node n = unordered.get(i);
            checkId(n.output, "output of node '" + n.name + "'");
            if (producer[n.output] >= 0 || isInput[n.output]) {
                throw new IllegalArgumentException("value '" + values.get(n.output).name + "' is produced twice (node '" + n.name + "')");
            }
            producer[n.output] = i;
            for (int in : n.inputs) {
                checkId(in, "input of node '" + n.name + "'");
            }
        }
        int[] pending = new int[unordered.size()];
        List<List<Integer>> readers = new ArrayList<>();
        for (int v = 0; v < nv; v++) {
            readers.add(new ArrayList<>());
        }
        ArrayDeque<Integer> ready = new ArrayDeque<>();
        for (int i = 0; i < unordered.size(); i++) {
            Node n = unordered.get(i);
            for (int in : n.inputs) {
                if (!isInput[in]) {
                    if (producer[in] < 0) {
                        throw new IllegalArgumentException("node '" + n.name + "' reads value '" + values.get(in).name + "' that nothing produces");
                    }
                    pending[i]++;
                    readers.get(in).add(i);
                }
            }
            if (pending[i] == 0) {
                ready.add(i);
            }
        }
        List<Node> order = new ArrayList<>(unordered.size());
        while (!ready.isEmpty()) {
            int i = ready.poll();
            Node n = unordered.get(i);
            order.add(n);
            for (int r : readers.get(n.output)) {
                if (--pending[r] == 0) {
                    ready.add(r);
                }
            }
        }
        if (order.size() != unordered.size()) {
            for (int i = 0; i < unordered.size(); i++) {
                if (pending[i] > 0) {
                    throw new IllegalArgumentException("graph has a cycle through node '" + unordered.get(i).name + "'");
                }
            }
        }
        for (int o : outputs) {
            checkId(o, "graph output");
            if (!isInput[o] && producer[o] < 0) {
                throw new IllegalArgumentException("graph output '" + values.get(o).name + "' is never produced");
            }
        }
        return order;
    }

    private void checkId(int id, String what) {
        if (id < 0 || id >= values.size()) {
            throw new IllegalArgumentException(what + " refers to value #" + id + ", but the graph has " + values.size());
        }
    }
}
