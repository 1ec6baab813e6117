package io.nanofleet.runtime;

/**
 * Float dot product written with eight independent accumulators over contiguous slices. C2's superword pass
 * packs the eight lanes into one AVX register (it will not vectorize a plain float reduction, because that
 * would reorder additions), and the loops only read arrays, so no aliasing question blocks it.
 * Summation order is therefore fixed: lane k sums elements k, k+8, ...; lanes are combined pairwise.
 */
final class Dot {
    private Dot() {
    }

    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            s0 += a[aOff + i] * b[bOff + i];
            s1 += a[aOff + i + 1] * b[bOff + i + 1];
            s2 += a[aOff + i + 2] * b[bOff + i + 2];
            s3 += a[aOff + i + 3] * b[bOff + i + 3];
            s4 += a[aOff + i + 4] * b[bOff + i + 4];
            s5 += a[aOff + i + 5] * b[bOff + i + 5];
            s6 += a[aOff + i + 6] * b[bOff + i + 6];
            s7 += a[aOff + i + 7] * b[bOff + i + 7];
        }
        for (; i < n; i++) {
            s0 += a[aOff + i] * b[bOff + i];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }
}
