package io.nanofleet.anomaly.model;

import io.nanofleet.anomaly.detect.Calibration;
import io.nanofleet.anomaly.detect.Calibrator;

/** Where a file's model comes from: trained on the device from its calibration rows (strict) or a fleet base model. */
public interface ModelProvider {
    ModelPair modelsFor(Calibrator.Prepared calibration);

    /** Calibrates one model of the pair ({@code int8} or its float twin) on the prepared rows. */
    default Calibration calibrate(Calibrator calibrator, Calibrator.Prepared prepared, ModelPair pair, boolean int8) {
        return calibrator.calibrate(prepared, int8 ? pair.int8() : pair.floatTwin());
    }
}
