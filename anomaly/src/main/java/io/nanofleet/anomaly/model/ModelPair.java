package io.nanofleet.anomaly.model;

import io.nanofleet.anomaly.detect.Reconstructor;

/**
 * The shipped model and its float twin (same trained weights before quantization), plus the size of the
 * shipped model file. {@code int8} is null only when no int8 backend is available.
 */
public record ModelPair(Reconstructor int8, Reconstructor floatTwin, int modelBytes, String description) {
}
