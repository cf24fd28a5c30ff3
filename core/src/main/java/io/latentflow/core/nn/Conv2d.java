package io.latentflow.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * 2-D convolution (PyTorch nn.Conv2d, groups 1, dilation 1). weight: (out, in, k, k), bias: (out) or absent.
 */
public record Conv2d(NDArray weight, NDArray bias, int stride, int padding) {

    private static final Shape DILATION = new Shape(1, 1);

    /** Looks up {@code weight} (out, in, kernel, kernel) and {@code bias} (out) under the view. */
    public static Conv2d load(Weights w, long in, long out, int kernel, int stride, int padding) {
        return new Conv2d(w.get("weight", out, in, kernel, kernel), w.get("bias", out), stride, padding);
    }

    /** x: (B, in, H, W) -> (B, out, H', W'), H' = (H + 2 padding - k) / stride + 1. */
    public NDArray forward(NDArray x) {
        NDArray y = x.getNDArrayInternal().convolution(x, weight, bias, new Shape(stride, stride),
                new Shape(padding, padding), DILATION, 1).singletonOrThrow();
        if (FlopCounter.active()) {
            // 2 * outputs * (in * k * k) multiply-adds
            Shape k = weight.getShape();
            FlopCounter.add(2 * y.size() * k.get(1) * k.get(2) * k.get(3));
        }
        return y;
    }

    /** Output channels. */
    public long outChannels() {
        return weight.getShape().get(0);
    }
}
