package io.latentflow.core.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.List;

/**
 * Where every random draw of a generation comes from: N(0, 1) tensors, in the order they are asked for.
 *
 * <p>Implementations are per image: item i of a batch depends only on image i's own stream, so a seed gives the same
 * image alone and inside a batch.
 */
public interface NoiseSource {
    /** The next standard-normal tensor of {@code shape} (batch first), created in {@code manager}. */
    NDArray next(Shape shape, NDManager manager);

    /** How many draws were handed out so far. */
    long draws();

    /** Takes {@code n} draws of {@code shape} and drops them: a resumed run continues the stream where it was. */
    default void skip(long n, Shape shape, NDManager manager) {
        for (long i = 0; i < n; i++) {
            next(shape, manager).close();
        }
    }

    /** Seeded per-image noise, one seed per batch item. */
    static NoiseSource seeded(long... seeds) {
        return new SeededNoise(seeds);
    }

    /** Replays recorded tensors in order (test vectors, or noise saved from another run). */
    static NoiseSource replay(List<NDArray> draws) {
        return new RecordedNoise(draws);
    }
}
