package io.latentflow.core.sampling;

/**
 * Single-precision natural logarithm and sine/cosine by the Cephes polynomials (S. Moshier, Cephes Math Library
 * logf and sinf/cosf), evaluated step by step in float32 with fused multiply-adds exactly where PyTorch's AVX2
 * normal kernel (compiled with FMA contraction) fuses them, so that results match it bit for bit.
 */
final class CephesFloat {
    /** sqrt(1/2): mantissas below it are doubled so that the polynomial argument stays in [sqrt(1/2) - 1, sqrt(2) - 1). */
    private static final float SQRT_HALF = (float) 0.707106781186547524;
    /** log(m) ~ x - x^2/2 + x^3 P(x), P of degree 8 (coefficients p8 .. p0, highest first). */
    private static final float[] LOG_P = {
        (float) 7.0376836292E-2, (float) -1.1514610310E-1, (float) 1.1676998740E-1, (float) -1.2420140846E-1,
        (float) 1.4249322787E-1, (float) -1.6668057665E-1, (float) 2.0000714765E-1, (float) -2.4999993993E-1,
        (float) 3.3333331174E-1};
    /** ln 2 split as LN2_HI + LN2_LO, LN2_HI with few mantissa bits so that e * LN2_HI is exact. */
    private static final float LN2_LO = (float) -2.12194440e-4;
    private static final float LN2_HI = (float) 0.693359375;

    /** 4 / pi, and pi / 4 split in three parts (DP1 + DP2 + DP3) for the extended-precision reduction. */
    private static final float FOUR_OVER_PI = (float) 1.27323954473516;
    private static final float DP1 = (float) -0.78515625;
    private static final float DP2 = (float) -2.4187564849853515625e-4;
    private static final float DP3 = (float) -3.77489497744594108e-8;
    /** sin(x) ~ x + x^3 S(x^2) and cos(x) ~ 1 - x^2/2 + x^4 C(x^2) on [-pi/4, pi/4]. */
    private static final float S0 = (float) -1.9515295891E-4;
    private static final float S1 = (float) 8.3321608736E-3;
    private static final float S2 = (float) -1.6666654611E-1;
    private static final float C0 = (float) 2.443315711809948E-005;
    private static final float C1 = (float) -1.388731625493765E-003;
    private static final float C2 = (float) 4.166664568298827E-002;

    private CephesFloat() {
    }

    /** ln(x) for x > 0 (NaN for x <= 0); subnormal inputs are treated as the smallest normal float. */
    static float log(float x) {
        if (!(x > 0)) {
            return Float.NaN;
        }
        // 1. x = m * 2^e with m in [0.5, 1)
        int bits = Float.floatToRawIntBits(Math.max(x, Float.MIN_NORMAL));
        float e = ((bits >>> 23) - 0x7f) + 1.0f;
        float m = Float.intBitsToFloat((bits & 0x807fffff) | Float.floatToRawIntBits(0.5f));
        // 2. if m < sqrt(1/2): e -= 1, m = 2m - 1, else m = m - 1
        if (m < SQRT_HALF) {
            e = e - 1.0f;
            m = (m - 1.0f) + m;
        } else {
            m = m - 1.0f;
        }
        // 3. ln(1 + m) = m - m^2/2 + m^3 P(m), then + e ln 2
        float z = m * m;
        float p = LOG_P[0];
        for (int k = 1; k < LOG_P.length; k++) {
            p = Math.fma(p, m, LOG_P[k]);
        }
        float y = Math.fma(p * m, z, e * LN2_LO);
        y = Math.fma(-z, 0.5f, y);
        return Math.fma(e, LN2_HI, m + y);
    }

    /** sin(x) into {@code out[0]} and cos(x) into {@code out[1]}, accurate for |x| < 8192. */
    static void sinCos(float x, float[] out) {
        // 1. octant: j = round-up-to-even(|x| * 4/pi), reduced argument r = |x| - j pi/4 in three exact-ish steps
        float a = Math.abs(x);
        int j = ((int) (a * FOUR_OVER_PI) + 1) & ~1;
        float octant = j;
        float r = Math.fma(octant, DP1, a);
        r = Math.fma(octant, DP2, r);
        r = Math.fma(octant, DP3, r);
        // 2. both polynomials on r
        float z = r * r;
        float c = Math.fma(Math.fma(C0, z, C1), z, C2);
        c = Math.fma(c * z, z, -(z * 0.5f)) + 1.0f;
        float s = Math.fma(Math.fma(S0, z, S1), z, S2);
        s = Math.fma(s * z, r, r);
        // 3. pick the polynomial per octant and fix the signs
        boolean swap = (j & 2) != 0;
        float sin = swap ? c : s;
        float cos = swap ? s : c;
        boolean sinNegative = (Float.floatToRawIntBits(x) < 0) != ((j & 4) != 0);
        boolean cosNegative = ((j - 2) & 4) == 0;
        out[0] = sinNegative ? -sin : sin;
        out[1] = cosNegative ? -cos : cos;
    }
}
