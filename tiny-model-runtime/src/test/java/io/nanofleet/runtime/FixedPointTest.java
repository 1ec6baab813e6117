package io.nanofleet.runtime;

import static io.nanofleet.runtime.FixedPoint.multiplyByQuantizedMultiplier;
import static io.nanofleet.runtime.FixedPoint.quantizeMultiplier;
import static io.nanofleet.runtime.FixedPoint.roundingDivideByPOT;
import static io.nanofleet.runtime.FixedPoint.saturatingRoundingDoublingHighMul;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FixedPointTest {
    private static final int MIN = Integer.MIN_VALUE;
    private static final int MAX = Integer.MAX_VALUE;

    @Test
    void doublingHighMulEdgeCases() {
        assertEquals(MAX, saturatingRoundingDoublingHighMul(MIN, MIN), "the one overflow saturates");
        assertEquals(-MAX, saturatingRoundingDoublingHighMul(MIN, MAX));
        assertEquals(MAX - 1, saturatingRoundingDoublingHighMul(MAX, MAX));
        assertEquals(3, saturatingRoundingDoublingHighMul(5, 1 << 30), "2.5 rounds up");
        // gemmlowp's nudge for negative products is 1 - 2^30, so -2.5 goes toward zero: ties round toward +inf.
        assertEquals(-2, saturatingRoundingDoublingHighMul(-5, 1 << 30), "-2.5 rounds toward +inf");
        assertEquals(-3, saturatingRoundingDoublingHighMul(-5, (1 << 30) + 1), "just past the tie rounds away");
        assertEquals(0, saturatingRoundingDoublingHighMul(0, MIN));
    }

    @Test
    void roundingDivideByPowerOfTwoEdgeCases() {
        assertEquals(3, roundingDivideByPOT(5, 1));
        assertEquals(-3, roundingDivideByPOT(-5, 1));
        assertEquals(-2, roundingDivideByPOT(-3, 1));
        assertEquals(2, roundingDivideByPOT(4, 1));
        assertEquals(MIN, roundingDivideByPOT(MIN, 0));
        assertEquals(-1, roundingDivideByPOT(MIN, 31));
        assertEquals(1, roundingDivideByPOT(MAX, 31));
        assertEquals(0, roundingDivideByPOT(1 << 29, 31));
        assertEquals(1, roundingDivideByPOT(1 << 30, 31), "exactly one half rounds away from zero");
        assertEquals(-1, roundingDivideByPOT(-(1 << 30), 31));
        assertEquals(-2, roundingDivideByPOT(MIN, 30));
        assertThrows(IllegalArgumentException.class, () -> roundingDivideByPOT(1, 32));
        assertThrows(IllegalArgumentException.class, () -> roundingDivideByPOT(1, -1));
    }

    @Test
    void quantizeMultiplierMatchesTflite() {
        assertArrayEquals(new int[]{1 << 30, 0}, quantizeMultiplier(0.5));
        assertArrayEquals(new int[]{1 << 30, 1}, quantizeMultiplier(1.0));
        assertArrayEquals(new int[]{1610612736, 0}, quantizeMultiplier(0.75));
        assertArrayEquals(new int[]{0, 0}, quantizeMultiplier(1e-12), "below 2^-31 flushes to zero");
        assertArrayEquals(new int[]{0, 0}, quantizeMultiplier(0));
        // q rounds up to 2^31: renormalised to 2^30 with shift + 1.
        assertArrayEquals(new int[]{1 << 30, 1}, quantizeMultiplier(Math.nextDown(1.0)));
        assertThrows(IllegalArgumentException.class, () -> quantizeMultiplier(-1));
        assertThrows(IllegalArgumentException.class, () -> quantizeMultiplier(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> quantizeMultiplier(1e10));
    }

    @Test
    void requantizationIsWithinOneOfExactRounding() {
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 100_000; i++) {
            double m = Math.pow(2, -r.nextInt(1, 28)) * (0.5 + r.nextDouble() * 0.5);
            int x = r.nextInt(-(1 << 24), 1 << 24);
            int[] q = quantizeMultiplier(m);
            long exact = Math.round(x * m);
            assertTrue(Math.abs(multiplyByQuantizedMultiplier(x, q[0], q[1]) - exact) <= 1, "x=" + x + " m=" + m);
        }
        int[] q = quantizeMultiplier(0.5);
        assertEquals(0, multiplyByQuantizedMultiplier(-1, q[0], q[1]), "-0.5 ties toward +inf in the high-mul");
        int[] quarter = quantizeMultiplier(0.25);
        assertEquals(-1, multiplyByQuantizedMultiplier(-2, quarter[0], quarter[1]), "-0.5 via the shift rounds away from zero");
        assertEquals(1, multiplyByQuantizedMultiplier(1, q[0], q[1]));
        int[] big = quantizeMultiplier(4.0);
        assertEquals(4000, multiplyByQuantizedMultiplier(1000, big[0], big[1]), "multipliers above 1 use the left shift");
        assertEquals(-4000, multiplyByQuantizedMultiplier(-1000, big[0], big[1]));
    }

    @Test
    void floatRoundingRules() {
        assertEquals(3, FixedPoint.roundHalfAwayFromZero(2.5));
        assertEquals(-3, FixedPoint.roundHalfAwayFromZero(-2.5));
        assertEquals(0, FixedPoint.roundHalfAwayFromZero(0.49999997f));
        assertEquals(2, FixedPoint.roundHalfToEven(2.5));
        assertEquals(4, FixedPoint.roundHalfToEven(3.5));
        assertEquals(-2, FixedPoint.roundHalfToEven(-2.5));
        assertEquals(MAX, FixedPoint.roundHalfAwayFromZero(1e30));
        assertEquals(MIN, FixedPoint.roundHalfToEven(-1e30));
        assertEquals(127, FixedPoint.quantize(1e9f, 0.1f, 0));
        assertEquals(-128, FixedPoint.quantize(-1e9f, 0.1f, 0));
        assertEquals(-125, FixedPoint.quantize(-1.25f, 0.5f, -122), "-2.5 steps -> -3, plus zero point");
        // TFLite divides in float: -0.25f / 0.1f rounds to exactly -2.5f (in double it is -2.4999999627).
        assertEquals(-125, FixedPoint.quantize(-0.25f, 0.1f, -122), "float division, as TFLite");
        assertEquals(-122, FixedPoint.quantize(Float.NaN, 0.1f, -122), "NaN maps to the zero point");
        assertEquals(127, FixedPoint.quantize(Float.POSITIVE_INFINITY, 0.1f, 0));
    }
}
