package io.nanofleet.anomaly.model;

import io.nanofleet.anomaly.detect.Calibrator;

/** Where a file's model comes from: trained on the device from its calibration rows (strict) or a fleet base model. */
public interface ModelProvider {
    ModelPair modelsFor(Calibrator.Prepared calibration);
}
