package io.nanofleet.intents.model;

import io.nanofleet.runtime.Model;
import io.nanofleet.runtime.ModelMetadata;
import io.nanofleet.runtime.ir.Graph;
import io.nanofleet.runtime.ir.Node;
import io.nanofleet.runtime.ir.Value;
import java.util.ArrayList;
import java.util.List;

/** Puts independently trained networks side by side in one graph: input i and output i are member i's. */
final class Networks {
    private Networks() {
    }

    static Model parallel(List<Model> members, ModelMetadata metadata) {
        List<Value> values = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        int[] inputs = new int[members.size()];
        int[] outputs = new int[members.size()];
        for (int m = 0; m < members.size(); m++) {
            Graph g = members.get(m).graph();
            if (g.inputs().length != 1 || g.outputs().length != 1) {
                throw new IllegalArgumentException("member " + m + " must have one input and one output");
            }
            int base = values.size();
            for (Value v : g.values()) {
                Value c = new Value("m" + m + "/" + v.name, v.shape, v.ids);
                c.quant = v.quant;
                values.add(c);
            }
            for (Node n : g.nodes()) {
                int[] in = n.inputs.clone();
                for (int i = 0; i < in.length; i++) {
                    in[i] += base;
                }
                Node c = n.copy();
                Node moved = new Node(c.op, "m" + m + "/" + c.name, in, c.output + base, c.attrs);
                moved.weights = c.weights;
                moved.bias = c.bias;
                moved.fusedActivation = c.fusedActivation;
                moved.qWeights = c.qWeights;
                moved.qBias = c.qBias;
                moved.wScale = c.wScale;
                moved.wZeroPoint = c.wZeroPoint;
                moved.multiplier = c.multiplier;
                moved.shift = c.shift;
                moved.aux = c.aux;
                moved.auxInt = c.auxInt;
                nodes.add(moved);
            }
            inputs[m] = g.input() + base;
            outputs[m] = g.output() + base;
        }
        return new Model(new Graph(values, nodes, inputs, outputs), metadata);
    }
}
