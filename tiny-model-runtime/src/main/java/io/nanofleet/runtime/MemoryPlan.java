package io.nanofleet.runtime;

import io.nanofleet.runtime.ir.Graph;
import io.nanofleet.runtime.ir.Node;
import io.nanofleet.runtime.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * Assigns every value a buffer once, reusing a buffer as soon as the last reader of its previous value has
 * run (greedy, in execution order). Graph inputs and outputs get dedicated buffers the caller can hold on to;
 * int8 values live in byte buffers, float values in float buffers.
 */
final class MemoryPlan {
    private final float[][] f;
    private final byte[][] q;

    MemoryPlan(Graph g, boolean keepAll) {
        int nv = g.values().size();
        f = new float[nv][];
        q = new byte[nv][];
        List<Node> nodes = g.nodes();
        int[] lastUse = new int[nv];
        boolean[] pinned = new boolean[nv];
        for (int i = 0; i < nodes.size(); i++) {
            for (int in : nodes.get(i).inputs) {
                lastUse[in] = i;
            }
        }
        for (int v : g.inputs()) {
            pinned[v] = true;
            f[v] = new float[g.value(v).size];
            if (g.value(v).quant != null) {
                q[v] = new byte[g.value(v).size];
            }
        }
        for (int v : g.outputs()) {
            pinned[v] = true;
            if (f[v] == null) {
                f[v] = new float[g.value(v).size];
            }
        }
        // Slot pools: index -> capacity; a slot is free when its owner's last reader has run.
        List<int[]> floatSlots = new ArrayList<>();
        List<int[]> int8Slots = new ArrayList<>();
        int[] slotOf = new int[nv];
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            Value out = g.value(n.output);
            boolean int8 = out.quant != null;
            boolean dedicated = keepAll || (pinned[n.output] && !int8);
            if (dedicated) {
                if (int8) {
                    q[n.output] = new byte[out.size];
                } else if (f[n.output] == null) {
                    f[n.output] = new float[out.size];
                }
            } else {
                List<int[]> pool = int8 ? int8Slots : floatSlots;
                int slot = -1;
                for (int s = 0; s < pool.size(); s++) {
                    if (pool.get(s)[1] < 0) {
                        slot = s;
                        break;
                    }
                }
                if (slot < 0) {
                    pool.add(new int[]{0, -1});
                    slot = pool.size() - 1;
                }
                int[] rec = pool.get(slot);
                rec[0] = Math.max(rec[0], out.size);
                rec[1] = n.output; // owner
                slotOf[n.output] = slot;
            }
            // Free the slots whose value is read for the last time by this node (never pinned ones).
            if (!keepAll) {
                for (int in : n.inputs) {
                    if (lastUse[in] == i && !pinned[in] && !isDedicated(g, in, pinned)) {
                        List<int[]> pool = g.value(in).quant != null ? int8Slots : floatSlots;
                        int[] rec = pool.get(slotOf[in]);
                        if (rec[1] == in) {
                            rec[1] = -1;
                        }
                    }
                }
            }
        }
        if (!keepAll) {
            // Second pass: materialise the slots and point each value at its slot's buffer.
            float[][] fBufs = new float[floatSlots.size()][];
            byte[][] qBufs = new byte[int8Slots.size()][];
            for (int s = 0; s < fBufs.length; s++) {
                fBufs[s] = new float[floatSlots.get(s)[0]];
            }
            for (int s = 0; s < qBufs.length; s++) {
                qBufs[s] = new byte[int8Slots.get(s)[0]];
            }
            for (Node n : nodes) {
                Value out = g.value(n.output);
                if (out.quant != null) {
                    q[n.output] = qBufs[slotOf[n.output]];
                } else if (f[n.output] == null) {
                    f[n.output] = fBufs[slotOf[n.output]];
                }
            }
        }
    }

    // Values that never enter a pool: graph inputs and float graph outputs.
    private static boolean isDedicated(Graph g, int v, boolean[] pinned) {
        return pinned[v] && g.value(v).quant == null;
    }

    float[][] floatBuffers() {
        return f;
    }

    byte[][] int8Buffers() {
        return q;
    }
}
