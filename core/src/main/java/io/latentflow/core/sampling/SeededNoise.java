package io.latentflow.core.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Per-image seeded Gaussian noise that reproduces diffusers with one CPU generator per image: image i has its own
 * {@link TorchCpuGenerator} seeded with seeds[i] ({@code torch.Generator().manual_seed(seeds[i])}), and each draw of
 * shape (B, ...) takes one {@code torch.randn((1, ...), generator=g_i)} from each image's stream in turn, as
 * diffusers' {@code randn_tensor} does for a list of generators.
 */
public final class SeededNoise implements NoiseSource {
    private final long[] seeds;
    private final TorchCpuGenerator[] streams;
    private long draws;

    /** One seed per image of the batch. */
    public SeededNoise(long... seeds) {
        if (seeds.length == 0) {
            throw new IllegalArgumentException("at least one seed is needed");
        }
        this.seeds = seeds.clone();
        this.streams = new TorchCpuGenerator[seeds.length];
        for (int i = 0; i < seeds.length; i++) {
            streams[i] = new TorchCpuGenerator(seeds[i]);
        }
    }

    /** The seeds, one per image. */
    public long[] seeds() {
        return seeds.clone();
    }

    @Override
    public synchronized long draws() {
        return draws;
    }

    @Override
    public synchronized NDArray next(Shape shape, NDManager manager) {
        long batch = shape.get(0);
        if (batch != seeds.length) {
            throw new IllegalArgumentException("noise of batch " + batch + " asked from " + seeds.length + " seeds");
        }
        draws++;
        int perImage = Math.toIntExact(shape.size() / batch);
        float[] data = new float[Math.toIntExact(shape.size())];
        for (int b = 0; b < batch; b++) {
            streams[b].randn(data, b * perImage, perImage);
        }
        return manager.create(data, shape);
    }
}
