package io.nanofleet.anomaly.model;

import io.nanofleet.anomaly.detect.Calibration;
import io.nanofleet.anomaly.detect.Reconstructor;
import io.nanofleet.runtime.Model;

/**
 * The shipped int8 model and its float twin (the same trained weights before quantization), as runtime models
 * and as detector reconstructors.
 */
public record ModelPair(Model int8Model, Model floatModel, String description) {

    public Reconstructor int8() {
        return new RuntimeReconstructor(int8Model);
    }

    public Reconstructor floatTwin() {
        return new RuntimeReconstructor(floatModel);
    }

    /** Size of the int8 model file a device would store, with this calibration in its metadata. */
    public int fileBytes(java.util.List<String> channels, Calibration calibration, io.nanofleet.anomaly.detect.DetectorConfig config) {
        return DetectorModelFile.toBytes(int8Model, channels, calibration, config).length;
    }
}
