package io.latentflow.core.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.Random;

/**
 * Per-image seeded Gaussian noise: image i has its own {@link Random} seeded with seeds[i], and each draw of shape
 * (B, ...) takes one (1, ...) block from each image's stream in turn.
 */
public final class SeededNoise implements NoiseSource {
    private final long[] seeds;
    private final Random[] streams;

    /** One seed per image of the batch. */
    public SeededNoise(long... seeds) {
        if (seeds.length == 0) {
            throw new IllegalArgumentException("at least one seed is needed");
        }
        this.seeds = seeds.clone();
        this.streams = new Random[seeds.length];
        for (int i = 0; i < seeds.length; i++) {
            streams[i] = new Random(seeds[i]);
        }
    }

    /** The seeds, one per image. */
    public long[] seeds() {
        return seeds.clone();
    }

    @Override
    public synchronized NDArray next(Shape shape, NDManager manager) {
        long batch = shape.get(0);
        if (batch != seeds.length) {
            throw new IllegalArgumentException("noise of batch " + batch + " asked from " + seeds.length + " seeds");
        }
        int perImage = Math.toIntExact(shape.size() / batch);
        float[] data = new float[Math.toIntExact(shape.size())];
        for (int b = 0; b < batch; b++) {
            Random r = streams[b];
            for (int k = 0; k < perImage; k++) {
                data[b * perImage + k] = (float) r.nextGaussian();
            }
        }
        return manager.create(data, shape);
    }
}
