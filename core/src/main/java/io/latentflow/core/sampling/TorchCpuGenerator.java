package io.latentflow.core.sampling;

/**
 * A random stream that reproduces {@code torch.Generator().manual_seed(seed)} on the CPU followed by
 * {@code torch.randn(shape, generator=g)} in float32, draw after draw, as PyTorch 1.13 computes it on an AVX2 CPU.
 *
 * <p>State, as in PyTorch's CPU generator: an {@link Mt19937} engine plus one cached standard normal (the second
 * value of the last scalar Box-Muller pair; re-seeding clears it). Values are derived as follows:
 * <ul>
 *   <li>float uniform in [0, 1): the low 24 bits of one 32-bit output, times 2^-24;</li>
 *   <li>double uniform in [0, 1): the low 53 bits of a 64-bit output (first 32-bit output high, second low),
 *       times 2^-53;</li>
 *   <li>{@link #randn} of n >= 16 floats: n float uniforms, then Box-Muller on each block of 16 (elements j and j+8
 *       form a pair); when n is not a multiple of 16 the last 16 elements are refilled with 16 fresh uniforms and
 *       transformed again;</li>
 *   <li>{@link #randn} of n < 16 floats: n scalar normals in double precision rounded to float, each pair of double
 *       uniforms giving a cosine value now and a cached sine value for the next scalar normal, also across
 *       {@code randn} calls.</li>
 * </ul>
 * The one platform-dependent part is the float Box-Muller of n >= 16: PyTorch's AVX2 kernel uses Cephes
 * polynomials ({@link CephesFloat}), its generic kernel (non-AVX2 builds, and AVX-512 dispatch) the C library's
 * logf/sinf/cosf; the two differ by a few units in the last place. This class follows the AVX2 kernel. PyTorch 2.x
 * computes the scalar radius as sqrt(-2 log1p(-u2)) instead of 1.13's sqrt(-2 log(1 - u2)); both agree after
 * rounding to float. Not thread-safe.
 */
public final class TorchCpuGenerator {
    /** Block length of the vectorised normal fill. */
    private static final int BLOCK = 16;
    private static final float TWO_POW_MINUS_24 = 1.0f / (1 << 24);
    private static final double TWO_POW_MINUS_53 = 1.0 / (1L << 53);
    /** 2 pi rounded to float32. */
    private static final float TWO_PI = (float) (2.0 * Math.PI);

    private final Mt19937 engine;
    private boolean hasCachedNormal;
    private double cachedNormal;

    /** The generator after {@code torch.Generator().manual_seed(seed)}. */
    public TorchCpuGenerator(long seed) {
        this.engine = new Mt19937(seed);
    }

    /** A uniform float in [0, 1) on the grid k * 2^-24, from one 32-bit output. */
    public float nextUniformFloat() {
        return (engine.nextUnsigned32() & 0xffffff) * TWO_POW_MINUS_24;
    }

    /** A uniform double in [0, 1) on the grid k * 2^-53, from two 32-bit outputs. */
    public double nextUniformDouble() {
        long high = engine.nextUnsigned32();
        long low = engine.nextUnsigned32();
        return (((high << 32) | low) & ((1L << 53) - 1)) * TWO_POW_MINUS_53;
    }

    /**
     * A standard normal in double precision by the Box-Muller transform (Box and Muller 1958): with u1, u2 uniform,
     * r = sqrt(-2 ln(1 - u2)), theta = 2 pi u1, returns r cos(theta) and keeps r sin(theta) for the next call.
     */
    public double nextNormalDouble() {
        if (hasCachedNormal) {
            hasCachedNormal = false;
            return cachedNormal;
        }
        double u1 = nextUniformDouble();
        double u2 = nextUniformDouble();
        double r = StrictMath.sqrt(-2.0 * StrictMath.log(1.0 - u2));
        double theta = 2.0 * StrictMath.PI * u1;
        cachedNormal = r * StrictMath.sin(theta);
        hasCachedNormal = true;
        return r * StrictMath.cos(theta);
    }

    /** Fills {@code out[offset .. offset + count)} as one {@code torch.randn} of {@code count} float32 values. */
    public void randn(float[] out, int offset, int count) {
        if (offset < 0 || count < 0 || offset + count > out.length) {
            throw new IndexOutOfBoundsException("range [" + offset + ", " + (offset + count) + ") of " + out.length);
        }
        if (count < BLOCK) {
            for (int i = 0; i < count; i++) {
                out[offset + i] = (float) nextNormalDouble();
            }
            return;
        }
        int end = offset + count;
        for (int i = offset; i < end; i++) {
            out[i] = nextUniformFloat();
        }
        for (int i = offset; i + BLOCK <= end; i += BLOCK) {
            boxMullerBlock(out, i);
        }
        if (count % BLOCK != 0) {
            int last = end - BLOCK;
            for (int i = last; i < end; i++) {
                out[i] = nextUniformFloat();
            }
            boxMullerBlock(out, last);
        }
    }

    /** One {@code torch.randn} of {@code count} float32 values. */
    public float[] randn(int count) {
        float[] out = new float[count];
        randn(out, 0, count);
        return out;
    }

    /**
     * Box-Muller (Box and Muller 1958) in float32 on the 16 uniforms at {@code data[at ..]}, as PyTorch's AVX2 normal
     * kernel computes it: for j in 0..7, u1 = 1 - data[j] (in (0, 1]), u2 = data[j + 8],
     * radius = sqrt(-2 ln u1), theta = 2 pi u2, data[j] = radius cos(theta), data[j + 8] = radius sin(theta),
     * with ln, sin and cos from {@link CephesFloat}.
     */
    private static void boxMullerBlock(float[] data, int at) {
        float[] sinCos = new float[2];
        for (int j = 0; j < BLOCK / 2; j++) {
            float u1 = 1.0f - data[at + j];
            float u2 = data[at + j + BLOCK / 2];
            float radius = (float) Math.sqrt(-2.0f * CephesFloat.log(u1));
            float theta = TWO_PI * u2;
            CephesFloat.sinCos(theta, sinCos);
            data[at + j] = radius * sinCos[1];
            data[at + j + BLOCK / 2] = radius * sinCos[0];
        }
    }
}
