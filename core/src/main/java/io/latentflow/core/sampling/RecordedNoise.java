package io.latentflow.core.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;

/** Replays previously recorded noise tensors in order; asking for more draws than recorded, or another shape, fails. */
public final class RecordedNoise implements NoiseSource {
    private final List<NDArray> draws;
    private int next;

    /** The draws in the order they will be handed out. */
    public RecordedNoise(List<NDArray> draws) {
        this.draws = new ArrayList<>(draws);
    }

    @Override
    public synchronized long draws() {
        return next;
    }

    @Override
    public synchronized NDArray next(Shape shape, NDManager manager) {
        if (next >= draws.size()) {
            throw new IllegalStateException("recorded noise exhausted after " + draws.size() + " draws");
        }
        NDArray draw = draws.get(next);
        if (!draw.getShape().equals(shape)) {
            throw new IllegalArgumentException("recorded noise draw " + next + " has shape " + draw.getShape()
                    + ", asked for " + shape);
        }
        next++;
        return manager.create(draw.toFloatArray(), shape);
    }
}
