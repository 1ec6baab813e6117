package io.nanofleet.anomaly.detect;

/**
 * The model inside the detector: maps a scaled, smoothed channel vector to its reconstruction. Implementations
 * must not allocate in {@link #reconstruct}: it runs once per sample on the device.
 */
public interface Reconstructor {
    /** Number of channels in and out. */
    int size();

    /** Writes the reconstruction of {@code in} into {@code out}; both have {@link #size()} elements. */
    void reconstruct(float[] in, float[] out);
}
