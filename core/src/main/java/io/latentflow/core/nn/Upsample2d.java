package io.latentflow.core.nn;

import ai.djl.ndarray.NDArray;

/** diffusers Upsample2D with a convolution: nearest-neighbour 2x (or to a given size), then a 3x3 conv ({@code conv}). */
public final class Upsample2d {

    private final Conv2d conv;

    private Upsample2d(Conv2d conv) {
        this.conv = conv;
    }

    /** Looks up {@code conv.weight} (channels, channels, 3, 3) and {@code conv.bias}. */
    public static Upsample2d load(Weights w, long channels, long outChannels) {
        return new Upsample2d(Conv2d.load(w.child("conv"), channels, outChannels, 3, 1, 1));
    }

    /** x: (B, C, H, W) -> (B, C', 2H, 2W). */
    public NDArray forward(NDArray x) {
        return Scope.run(() -> conv.forward(Resample.nearest2x(x)), x);
    }

    /** x: (B, C, H, W) -> (B, C', height, width): nearest resize to the skip connection's size. */
    public NDArray forward(NDArray x, long height, long width) {
        return Scope.run(() -> conv.forward(Resample.nearest(x, height, width)), x);
    }
}
