package io.nanofleet.anomaly.model;

import io.nanofleet.anomaly.detect.Calibrator;

/**
 * Strict protocol: the device trains its own autoencoder on its calibration vectors, quantizes it to int8 and
 * runs the int8 model. Nothing from other machines is used.
 */
public final class StrictProvider implements ModelProvider {
    private final AutoencoderTrainer trainer;

    public StrictProvider(AutoencoderTrainer trainer) {
        this.trainer = trainer;
    }

    @Override
    public ModelPair modelsFor(Calibrator.Prepared calibration) {
        AutoencoderTrainer.Trained t = trainer.train(calibration.vectors());
        return new ModelPair(t.int8Model(), t.floatModel(), "on-device linear autoencoder");
    }
}
