package io.latentflow.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Group normalization (Wu and He 2018, eq. 1-3): channels split into {@code groups}; each group of each sample is
 * normalized by its own mean and biased variance, then scaled and shifted per channel. weight, bias: (C).
 */
public final class GroupNorm {

    private final int groups;
    private final float eps;
    private final NDArray weight3d;
    private final NDArray bias3d;
    private final NDArray weight2d;
    private final NDArray bias2d;
    private final Weights owner;

    private GroupNorm(int groups, float eps, NDArray weight, NDArray bias, Weights owner) {
        this.groups = groups;
        this.eps = eps;
        this.owner = owner;
        this.weight3d = weight == null ? null : weight.reshape(-1, 1, 1);
        this.bias3d = bias == null ? null : bias.reshape(-1, 1, 1);
        this.weight2d = weight == null ? null : weight.reshape(-1, 1);
        this.bias2d = bias == null ? null : bias.reshape(-1, 1);
    }

    /** Looks up {@code weight} and {@code bias} (channels) under the view. */
    public static GroupNorm load(Weights w, int groups, long channels, float eps) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(w.key("weight") + ": " + channels + " channels do not split into "
                    + groups + " groups");
        }
        return new GroupNorm(groups, eps, w.get("weight", channels), w.get("bias", channels), w);
    }

    /** x: (B, C, H, W) -> (B, C, H, W). */
    public NDArray forward(NDArray x) {
        Shape shape = x.getShape();
        long groupSize = shape.size() / (shape.get(0) * groups);
        // 1. per (sample, group): (x - mean) / sqrt(var + eps), as a layer norm over the flattened group
        NDArray unit = owner.constant(1f, groupSize, x.getDataType());
        NDArray zero = owner.constant(0f, groupSize, x.getDataType());
        NDArray grouped = x.reshape(shape.get(0), groups, groupSize);
        NDArray normalized = grouped.getNDArrayInternal()
                .layerNorm(grouped, new Shape(groupSize), unit, zero, eps).singletonOrThrow();
        // 2. per-channel affine gamma * x + beta
        NDArray y = normalized.reshape(shape);
        if (shape.dimension() == 4) {
            return y.mul(weight3d).add(bias3d);
        }
        // other ranks: view as (B, C, rest) (ops starting from weights would attach results to the weights' manager)
        return y.reshape(shape.get(0), shape.get(1), -1).mul(weight2d).add(bias2d).reshape(shape);
    }
}
