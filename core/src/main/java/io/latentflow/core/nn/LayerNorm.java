package io.latentflow.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Layer normalization over the last axis (Ba et al. 2016) with per-feature scale and shift. weight, bias: (D). */
public record LayerNorm(NDArray weight, NDArray bias, float eps) {

    /** Looks up {@code weight} and {@code bias} (dim) under the view. */
    public static LayerNorm load(Weights w, long dim, float eps) {
        return new LayerNorm(w.get("weight", dim), w.get("bias", dim), eps);
    }

    /** x: (..., D) -> (..., D). */
    public NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(weight.getShape().get(0)), weight, bias, eps)
                .singletonOrThrow();
    }
}
