package io.nanofleet.runtime.ir;

import java.util.Arrays;

/**
 * A tensor flowing between nodes. Shapes exclude the batch dimension (the runtime runs batch 1).
 * {@code quant} is set when the value is held as int8 by the int8 interpreter.
 */
public final class Value {
    public final String name;
    public final int[] shape;
    public final int size;
    /** True for integer id inputs (embedding bag): never quantized. */
    public final boolean ids;
    public QuantParams quant;

    public Value(String name, int[] shape, boolean ids) {
        this.name = name;
        this.shape = shape.clone();
        long n = 1;
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("value '" + name + "' has a non-positive dimension: " + Arrays.toString(shape));
            }
            n *= d;
            if (n > Graph.MAX_ELEMENTS) {
                throw new IllegalArgumentException("value '" + name + "' is larger than " + Graph.MAX_ELEMENTS + " elements");
            }
        }
        this.size = (int) n;
        this.ids = ids;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + (quant == null ? "" : " " + quant);
    }
}
