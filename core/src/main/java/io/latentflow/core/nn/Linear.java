package io.latentflow.core.nn;

import ai.djl.ndarray.NDArray;

/**
 * Affine map y = x W^T + b over the last axis (PyTorch nn.Linear). weight: (out, in), bias: (out) or absent.
 */
public record Linear(NDArray weight, NDArray bias) {

    /** Looks up {@code weight} (out, in) and, when {@code withBias}, {@code bias} (out) under the view. */
    public static Linear load(Weights w, long in, long out, boolean withBias) {
        return new Linear(w.get("weight", out, in), withBias ? w.get("bias", out) : null);
    }

    /** x: (..., in) -> (..., out). */
    public NDArray forward(NDArray x) {
        if (FlopCounter.active()) {
            FlopCounter.add(2 * x.size() * outFeatures());
        }
        // a sample's row must not depend on the batch it came in (the denoiser batches different jobs' calls): MKL's
        // strict reproducibility mode (MKL_CBWR=AVX2,STRICT, set by ./latentflow) sums every row count alike
        return affine(x);
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
