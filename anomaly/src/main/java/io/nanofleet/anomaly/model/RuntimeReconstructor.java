package io.nanofleet.anomaly.model;

import io.nanofleet.anomaly.detect.Reconstructor;
import io.nanofleet.runtime.Interpreter;
import io.nanofleet.runtime.Model;

/**
 * Runs a tiny-model-runtime autoencoder (float or int8) as the detector's model. The interpreter's static
 * memory plan means {@link #reconstruct} only copies into and out of its buffers: no allocation.
 */
public final class RuntimeReconstructor implements Reconstructor {
    private final Interpreter interpreter;
    private final float[] input;
    private final float[] output;

    public RuntimeReconstructor(Model model) {
        if (model.inputSize() != model.outputSize()) {
            throw new IllegalArgumentException("an autoencoder needs equal input and output sizes, got "
                    + model.inputSize() + " and " + model.outputSize());
        }
        this.interpreter = new Interpreter(model);
        this.input = interpreter.input();
        this.output = interpreter.output();
    }

    @Override
    public int size() {
        return input.length;
    }

    @Override
    public void reconstruct(float[] in, float[] out) {
        System.arraycopy(in, 0, input, 0, input.length);
        interpreter.run();
        System.arraycopy(output, 0, out, 0, output.length);
    }
}
