package io.nanofleet.anomaly.model;

import io.nanofleet.anomaly.detect.Calibration;
import io.nanofleet.anomaly.detect.Calibrator;

/**
 * Strict protocol: the device trains its own autoencoder on its calibration vectors, quantizes it to int8 and
 * runs the int8 model. Nothing from other machines is used. Because the model has seen the calibration
 * vectors, they are scored out-of-sample by cross-fitting ({@link Calibrator#calibrateCrossFitted}).
 */
public final class StrictProvider implements ModelProvider {
    /** Contiguous blocks of the calibration vectors for cross-fitting. */
    public static final int FOLDS = 8;
    private final AutoencoderTrainer trainer;

    public StrictProvider(AutoencoderTrainer trainer) {
        this.trainer = trainer;
    }

    @Override
    public ModelPair modelsFor(Calibrator.Prepared calibration) {
        AutoencoderTrainer.Trained t = trainer.train(calibration.vectors());
        return new ModelPair(t.int8Model(), t.floatModel(), "on-device linear autoencoder");
    }

    @Override
    public Calibration calibrate(Calibrator calibrator, Calibrator.Prepared prepared, ModelPair pair, boolean int8) {
        if (FOLDS < 2) {
            return ModelProvider.super.calibrate(calibrator, prepared, pair, int8);
        }
        return calibrator.calibrateCrossFitted(prepared, rows -> {
            AutoencoderTrainer.Trained t = trainer.train(rows);
            return new RuntimeReconstructor(int8 ? t.int8Model() : t.floatModel());
        }, FOLDS);
    }
}
