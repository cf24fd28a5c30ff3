package io.latentflow.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Affine map y = x W^T + b over the last axis (PyTorch nn.Linear). weight: (out, in), bias: (out) or absent.
 */
public record Linear(NDArray weight, NDArray bias) {

    /** Looks up {@code weight} (out, in) and, when {@code withBias}, {@code bias} (out) under the view. */
    public static Linear load(Weights w, long in, long out, boolean withBias) {
        return new Linear(w.get("weight", out, in), withBias ? w.get("bias", out) : null);
    }

    /** x: (batch, ..., in) -> (batch, ..., out). */
    public NDArray forward(NDArray x) {
        if (FlopCounter.active()) {
            FlopCounter.add(2 * x.size() * outFeatures());
        }
        // a sample's rows must not depend on the batch it came in (the denoiser batches different jobs' calls)
        Shape shape = x.getShape();
        if (shape.dimension() < 2) {
            return affine(x);
        }
        NDArray y = PerSample.timesTransposed(x.reshape(shape.get(0), -1, shape.get(shape.dimension() - 1)), weight)
                .reshape(shape.slice(0, shape.dimension() - 1).add(outFeatures()));
        return bias == null ? y : y.add(bias);
    }

    private NDArray affine(NDArray x) {
        return bias == null
                ? ai.djl.nn.core.Linear.linear(x, weight).singletonOrThrow()
                : ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
    }

    /** Output features. */
    public long outFeatures() {
        return weight.getShape().get(0);
    }
}
