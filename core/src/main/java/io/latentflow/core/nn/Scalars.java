package io.latentflow.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with a Java number that is safe inside an autograd graph. DJL's {@code mul(Number)},
 * {@code div(Number)} and {@code pow(Number)} wrap the number in an array over a Java buffer and free it as soon as
 * the op returns; autograd keeps that array for the backward pass (d(x c)/dx = c), which then reads freed memory
 * once the buffer is collected. Here the number is a PyTorch-allocated scalar, which the graph keeps alive itself.
 */
public final class Scalars {

    private Scalars() {
    }

    /** x * c. */
    public static NDArray mul(NDArray x, double c) {
        return x.mul(scalar(x, c));
    }

    /** x / c. */
    public static NDArray div(NDArray x, double c) {
        return x.div(scalar(x, c));
    }

    /** x ^ c. */
    public static NDArray pow(NDArray x, double c) {
        return x.pow(scalar(x, c));
    }

    private static NDArray scalar(NDArray like, double c) {
        return like.getManager().full(new Shape(), (float) c, DataType.FLOAT32);
    }
}
