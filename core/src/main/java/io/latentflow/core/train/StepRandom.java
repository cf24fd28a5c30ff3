package io.latentflow.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.Random;
import java.util.SplittableRandom;

/**
 * The randomness of one micro-batch, derived from the run's seed and the micro-batch's index alone: a run resumed
 * from a checkpoint draws exactly what the uninterrupted run drew, with no generator state to save.
 */
public final class StepRandom {

    private final Random random;

    private StepRandom(Random random) {
        this.random = random;
    }

    /** The generator of micro-batch {@code index} of stream {@code stream} (noise, dropout, ...) of a run. */
    public static StepRandom of(long seed, long index, long stream) {
        long mixed = new SplittableRandom(seed).split().nextLong() ^ (index * 0x9E3779B97F4A7C15L) ^ (stream << 48);
        return new StepRandom(new Random(new SplittableRandom(mixed).nextLong()));
    }

    /** N(0, 1) noise of a shape. */
    public NDArray normal(Shape shape, NDManager manager) {
        float[] v = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return manager.create(v, shape);
    }

    /** Uniform integers in [0, bound), n of them. */
    public int[] integers(int n, int bound) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = random.nextInt(bound);
        }
        return out;
    }

    /** n Bernoulli(p) draws. */
    public boolean[] coins(int n, double p) {
        boolean[] out = new boolean[n];
        for (int i = 0; i < n; i++) {
            out[i] = random.nextDouble() < p;
        }
        return out;
    }
}
