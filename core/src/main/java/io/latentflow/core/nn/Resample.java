package io.latentflow.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Spatial resampling of (B, C, H, W) feature maps. */
public final class Resample {

    private static final int NEAREST = 0;

    private Resample() {
    }

    /** Nearest-neighbour upsampling by 2 on both spatial axes: (B, C, H, W) -> (B, C, 2H, 2W). */
    public static NDArray nearest2x(NDArray x) {
        Shape s = x.getShape();
        return x.getNDArrayInternal().interpolation(new long[] {s.get(2) * 2, s.get(3) * 2}, NEAREST, false);
    }

    /** Nearest-neighbour resize to (height, width). */
    public static NDArray nearest(NDArray x, long height, long width) {
        return x.getNDArrayInternal().interpolation(new long[] {height, width}, NEAREST, false);
    }
}
