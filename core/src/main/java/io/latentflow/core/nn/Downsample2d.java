package io.latentflow.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * diffusers Downsample2D with a convolution: a 3x3 stride-2 conv ({@code conv}); with padding 0 the input is first
 * padded asymmetrically by one row/column at the bottom/right, as the VAE encoder does.
 */
public final class Downsample2d {

    private static final Shape PAD_RIGHT_BOTTOM = new Shape(0, 1, 0, 1);
    private final Conv2d conv;

    private Downsample2d(Conv2d conv) {
        this.conv = conv;
    }

    /** Looks up {@code conv.weight} (channels, channels, 3, 3) and {@code conv.bias}. */
    public static Downsample2d load(Weights w, long channels, long outChannels, int padding) {
        return new Downsample2d(Conv2d.load(w.child("conv"), channels, outChannels, 3, 2, padding));
    }

    /** x: (B, C, H, W) -> (B, C', ceil(H/2), ceil(W/2)) for padding 1, or floor((H+1-3)/2)+1 for padding 0. */
    public NDArray forward(NDArray x) {
        if (conv.padding() != 0) {
            return conv.forward(x);
        }
        return Scope.run(() -> conv.forward(x.pad(PAD_RIGHT_BOTTOM, 0)), x);
    }
}
