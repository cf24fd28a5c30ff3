package io.latentflow.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Products of a weight matrix with a batch, taken as one product per sample (a batched product over the weight
 * broadcast to every sample). MKL picks its kernels, and with them the order in which a dot product is summed, by the
 * shape of the whole product (on some CPUs a row alone is summed differently from a row among four or more, even in
 * MKL's strict mode), so one product over the batch's rows would let a sample's result change with the samples
 * batched with it; the denoiser batches the calls of different jobs, and a job must draw the same image alone and in
 * company. A sample's own product has the same shape in any batch and is summed the same way.
 */
final class PerSample {

    private PerSample() {
    }

    /** x (B, T, in) times the transpose of weight (out, in): (B, T, out). */
    static NDArray timesTransposed(NDArray x, NDArray weight) {
        Shape w = weight.getShape();
        NDArray transposed = view(weight.transpose(), x.getManager());
        return x.batchMatMul(transposed.broadcast(x.getShape().get(0), w.get(1), w.get(0)));
    }

    /** weight viewed as (out, in) times x (B, in, P): (B, out, P). */
    static NDArray weightTimes(NDArray weight, long out, long in, NDArray x) {
        return view(weight.reshape(out, in), x.getManager()).broadcast(x.getShape().get(0), out, in).batchMatMul(x);
    }

    /**
     * {@code view}, a new view of a parameter (never the parameter itself), handed to {@code manager} so that it is
     * freed with the forward's arrays rather than kept with the parameters.
     */
    static NDArray view(NDArray view, NDManager manager) {
        view.attach(manager);
        return view;
    }
}
