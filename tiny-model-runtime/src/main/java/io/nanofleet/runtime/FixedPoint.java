package io.nanofleet.runtime;

/**
 * Integer arithmetic exactly as TFLite/TFLM and gemmlowp define it, plus the two float-to-int rounding rules.
 *
 * <ul>
 *   <li>{@link #roundHalfAwayFromZero}: TFLite's float-to-int8 quantization (C++ {@code std::round}).</li>
 *   <li>{@link #roundHalfToEven}: ONNX QuantizeLinear and QLinear* requantization (what ONNX Runtime does).</li>
 *   <li>{@link #saturatingRoundingDoublingHighMul}: gemmlowp; round to nearest with ties toward +infinity
 *       (its nudge for negative products is 1 - 2^30), saturates the single overflow INT32_MIN * INT32_MIN.</li>
 *   <li>{@link #roundingDivideByPOT}: gemmlowp; arithmetic shift right rounding half away from zero.</li>
 * </ul>
 */
public final class FixedPoint {
    private FixedPoint() {
    }

    public static int saturatingRoundingDoublingHighMul(int a, int b) {
        if (a == Integer.MIN_VALUE && b == Integer.MIN_VALUE) {
            return Integer.MAX_VALUE;
        }
        long ab = (long) a * (long) b;
        long nudge = ab >= 0 ? (1L << 30) : (1L - (1L << 30));
        // Java's long division truncates toward zero like C++'s, which gemmlowp relies on.
        return (int) ((ab + nudge) / (1L << 31));
    }

    public static int roundingDivideByPOT(int x, int exponent) {
        if (exponent < 0 || exponent > 31) {
            throw new IllegalArgumentException("exponent must be in [0, 31], was " + exponent);
        }
        int mask = (int) ((1L << exponent) - 1);
        int remainder = x & mask;
        int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
        return (x >> exponent) + (remainder > threshold ? 1 : 0);
    }

    /** TFLite's MultiplyByQuantizedMultiplier: shift > 0 is a left shift, shift < 0 a rounding right shift. */
    public static int multiplyByQuantizedMultiplier(int x, int multiplier, int shift) {
        int left = shift > 0 ? shift : 0;
        int right = shift > 0 ? 0 : -shift;
        return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x * (1 << left), multiplier), right);
    }

    /**
     * TFLite's QuantizeMultiplier: real = multiplier * 2^(shift - 31) with multiplier in [2^30, 2^31).
     * Returns {multiplier, shift}. Multipliers below 2^-31 become zero; above 2^30 are rejected.
     */
    public static int[] quantizeMultiplier(double real) {
        if (!(real >= 0) || Double.isInfinite(real)) {
            throw new IllegalArgumentException("real multiplier must be finite and >= 0, was " + real);
        }
        if (real == 0) {
            return new int[]{0, 0};
        }
        int shift = Math.getExponent(real) + 1;
        double q = real / Math.pow(2, shift);
        long qFixed = Math.round(q * (1L << 31));
        if (qFixed == (1L << 31)) {
            qFixed /= 2;
            shift++;
        }
        if (shift < -31) {
            return new int[]{0, 0};
        }
        if (shift > 30) {
            throw new IllegalArgumentException("real multiplier too large: " + real);
        }
        return new int[]{(int) qFixed, shift};
    }

    public static int roundHalfAwayFromZero(double v) {
        double r = v >= 0 ? Math.floor(v + 0.5) : Math.ceil(v - 0.5);
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, r));
    }

    public static int roundHalfToEven(double v) {
        double r = Math.rint(v);
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, r));
    }

    public static int clampInt8(int v) {
        return v < -128 ? -128 : (v > 127 ? 127 : v);
    }

    /**
     * TFLite float-to-int8: round(x / scale) with the division in float as TFLite does it, half away from
     * zero, plus zero point, saturated. NaN maps to the zero point.
     */
    public static byte quantize(float x, float scale, int zeroPoint) {
        float v = x / scale;
        if (!(Math.abs(v) < 1024f)) {
            return (byte) (v > 0 ? 127 : (v < 0 ? -128 : clampInt8(zeroPoint)));
        }
        int t = (int) v;                 // toward zero; v - t is exact below 2^23
        float frac = v - t;
        if (frac >= 0.5f) {
            t++;
        } else if (frac <= -0.5f) {
            t--;
        }
        return (byte) clampInt8(t + zeroPoint);
    }
}
