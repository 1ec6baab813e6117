package io.nanofleet.runtime;

import io.nanofleet.runtime.ir.Graph;
import io.nanofleet.runtime.ir.Node;
import io.nanofleet.runtime.ir.Value;
import java.util.Objects;

/**
 * A float or int8 model: a validated graph plus its metadata. Create one with {@link ModelBuilder}, by
 * {@link Quantizer#quantize}, by {@link ModelFile#read} or by ONNX import; run it with {@link Interpreter}.
 * {@link Trainer} updates a float model's weights in place; everything else treats models as immutable.
 */
public final class Model {
    private final Graph graph;
    private final ModelMetadata metadata;

    public Model(Graph graph, ModelMetadata metadata) {
        this.graph = Objects.requireNonNull(graph);
        this.metadata = Objects.requireNonNull(metadata);
    }

    public Graph graph() {
        return graph;
    }

    public ModelMetadata metadata() {
        return metadata;
    }

    /** Same graph (shared, not copied), new metadata: e.g. to record a calibrated threshold before saving. */
    public Model withMetadata(ModelMetadata metadata) {
        return new Model(graph, metadata);
    }

    /** True when the model runs int8 kernels (produced by {@link Quantizer}). */
    public boolean isQuantized() {
        for (Node n : graph.nodes()) {
            if (n.qWeights != null || graph.value(n.output).quant != null) {
                return true;
            }
        }
        return false;
    }

    public int[] inputShape() {
        return graph.value(graph.input()).shape.clone();
    }

    public int[] outputShape() {
        return graph.value(graph.output()).shape.clone();
    }

    public int inputSize() {
        return graph.value(graph.input()).size;
    }

    public int outputSize() {
        return graph.value(graph.output()).size;
    }

    public int parameterCount() {
        return graph.parameterCount();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(isQuantized() ? "int8 model" : "float model");
        sb.append(" (").append(parameterCount()).append(" parameters)\n");
        for (Node n : graph.nodes()) {
            sb.append("  ").append(n.name).append(": ").append(n.op);
            if (n.fusedActivation != null) {
                sb.append('+').append(n.fusedActivation);
            }
            sb.append(" -> ");
            Value v = graph.value(n.output);
            sb.append(v).append('\n');
        }
        return sb.toString();
    }
}
