package io.latentflow.core.sampling;

/**
 * The 32-bit Mersenne Twister MT19937 (Matsumoto and Nishimura 1998), seeded as PyTorch's CPU generator seeds it:
 * the classic init_genrand recurrence on the low 32 bits of the seed.
 *
 * <p>Not thread-safe; {@link TorchCpuGenerator} owns one engine per stream.
 */
public final class Mt19937 {
    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    private final int[] state = new int[N];
    private int next;

    /** The engine after {@code manual_seed(seed)}: only the low 32 bits of the seed enter the state. */
    public Mt19937(long seed) {
        // mt[0] = seed mod 2^32, mt[i] = 1812433253 * (mt[i-1] xor (mt[i-1] >> 30)) + i  (mod 2^32)
        state[0] = (int) seed;
        for (int i = 1; i < N; i++) {
            state[i] = 1812433253 * (state[i - 1] ^ (state[i - 1] >>> 30)) + i;
        }
        next = N;
    }

    /** The next 32 random bits, as an unsigned value in [0, 2^32). */
    public long nextUnsigned32() {
        if (next == N) {
            regenerate();
        }
        int y = state[next++];
        // tempering
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y & 0xffffffffL;
    }

    /** Refills the 624 words of state in place: mt[k] = mt[k+M] xor twist(upper bit of mt[k], lower bits of mt[k+1]). */
    private void regenerate() {
        for (int k = 0; k < N; k++) {
            int y = (state[k] & UPPER_MASK) | (state[(k + 1) % N] & LOWER_MASK);
            state[k] = state[(k + M) % N] ^ (y >>> 1) ^ ((y & 1) == 0 ? 0 : MATRIX_A);
        }
        next = 0;
    }
}
