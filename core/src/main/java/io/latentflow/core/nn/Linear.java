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

    /**
     * Fewest rows a product is computed with. A sample's result must not depend on the batch it came in, since the
     * denoiser batches the calls of different jobs together. MKL in strict reproducibility mode (MKL_CBWR=AVX2,STRICT,
     * set by ./latentflow) sums every row alike; without it, it takes another kernel, with another order of summation,
     * for one to three rows on AVX2 CPUs, so fewer rows are padded with zeros up to this count.
     */
    private static final long MIN_ROWS = 4;

    /** x: (..., in) -> (..., out). */
    public NDArray forward(NDArray x) {
        if (FlopCounter.active()) {
            FlopCounter.add(2 * x.size() * outFeatures());
        }
        Shape shape = x.getShape();
        long in = shape.get(shape.dimension() - 1);
        long rows = x.size() / in;
        if (rows >= MIN_ROWS) {
            return affine(x);
        }
        NDArray padded = x.reshape(rows, in).concat(x.getManager().zeros(new Shape(MIN_ROWS - rows, in),
                x.getDataType()), 0);
        return affine(padded).get("0:" + rows).reshape(shape.slice(0, shape.dimension() - 1).add(outFeatures()));
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
