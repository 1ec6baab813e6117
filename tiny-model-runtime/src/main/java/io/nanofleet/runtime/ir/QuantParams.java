package io.nanofleet.runtime.ir;

/**
 * Affine int8 quantization of one tensor: real = scale * (q - zeroPoint).
 * Activations are per tensor and asymmetric; weights are symmetric per output channel (zeroPoint 0).
 */
public record QuantParams(float scale, int zeroPoint) {
    public QuantParams {
        if (!(scale > 0f) || Float.isInfinite(scale)) {
            throw new IllegalArgumentException("quantization scale must be finite and > 0, was " + scale);
        }
        if (zeroPoint < -128 || zeroPoint > 127) {
            throw new IllegalArgumentException("int8 zero point out of range: " + zeroPoint);
        }
    }

    /** Asymmetric params covering [min, max] (widened to include 0 so that 0 is exactly representable). */
    public static QuantParams forRange(float min, float max) {
        float lo = Math.min(0f, min);
        float hi = Math.max(0f, max);
        if (hi - lo < 1e-8f) {
            hi = lo + 1e-8f;
        }
        float scale = (hi - lo) / 255f;
        long zp = Math.round(-128.0 - lo / scale);
        zp = Math.max(-128, Math.min(127, zp));
        return new QuantParams(scale, (int) zp);
    }

    public float dequantize(int q) {
        return scale * (q - zeroPoint);
    }
}
