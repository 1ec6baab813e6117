package io.nanofleet.anomaly.model;

import io.nanofleet.anomaly.detect.Calibrator;
import io.nanofleet.anomaly.detect.LinearReconstructor;

/** Float-only strict provider: closed-form linear autoencoder fitted on each file's calibration vectors. */
public final class PcaStrictProvider implements ModelProvider {
    private final int components;

    public PcaStrictProvider(int components) {
        this.components = components;
    }

    @Override
    public ModelPair modelsFor(Calibrator.Prepared calibration) {
        LinearReconstructor pca = LinearReconstructor.fit(calibration.vectors(), components);
        return new ModelPair(null, pca, 0, "float linear autoencoder k=" + components);
    }
}
