package io.latentflow.core.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.nn.Activations;
import io.latentflow.core.nn.Linear;
import io.latentflow.core.nn.Weights;

/**
 * Sinusoidal timestep features (DDPM, Ho et al. 2020, after Vaswani et al. 2017 sec. 3.5), diffusers'
 * get_timestep_embedding, optionally followed by diffusers' TimestepEmbedding MLP (linear_1, act, linear_2).
 */
final class TimestepEmbedding {

    private static final double MAX_PERIOD = 10000;

    private final NDArray frequencies;
    private final boolean flipSinToCos;
    private final int dim;
    private final Linear linear1;
    private final Linear linear2;
    private final String activation;
    private final String postActivation;

    private TimestepEmbedding(NDArray frequencies, boolean flipSinToCos, int dim, Linear linear1, Linear linear2,
                              String activation, String postActivation) {
        this.frequencies = frequencies;
        this.flipSinToCos = flipSinToCos;
        this.dim = dim;
        this.linear1 = linear1;
        this.linear2 = linear2;
        this.activation = activation;
        this.postActivation = postActivation;
    }

    /**
     * Frequencies f_i = exp(-ln(10000) * i / (dim/2 - shift)), i < dim/2, computed with float32 tensor ops exactly
     * as diffusers does, kept on the model's manager as a (1, dim/2) row.
     */
    static NDArray frequencies(NDManager manager, int dim, double freqShift) {
        int half = dim / 2;
        try (NDArray range = manager.arange(0f, (float) half, 1f, DataType.FLOAT32)) {
            NDArray exponent = range.mul((float) -Math.log(MAX_PERIOD)).div((float) (half - freqShift));
            NDArray f = exponent.exp();
            NDArray row = f.reshape(1, half);
            exponent.close();
            f.close();
            return row;
        }
    }

    /**
     * Projection plus MLP under {@code w} (keys linear_1, linear_2); projectionDim 0 gives the MLP alone (for
     * add_embedding, whose input is projected by the caller).
     */
    static TimestepEmbedding load(Weights w, int projectionDim, boolean flipSinToCos, double freqShift, long inDim,
                                  long outDim, String activation, String postActivation) {
        NDArray f = projectionDim > 0 ? frequencies(w.manager(), projectionDim, freqShift) : null;
        return new TimestepEmbedding(f, flipSinToCos, projectionDim,
                Linear.load(w.child("linear_1"), inDim, outDim, true),
                Linear.load(w.child("linear_2"), outDim, outDim, true), activation, postActivation);
    }

    /** The sinusoidal projection alone (diffusers Timesteps), for add_time_proj. */
    static TimestepEmbedding projectionOnly(NDManager manager, int dim, boolean flipSinToCos, double freqShift) {
        return new TimestepEmbedding(frequencies(manager, dim, freqShift), flipSinToCos, dim, null, null, null, null);
    }

    /** t: (N) float32 -> (N, dim) float32: [cos(t f), sin(t f)] with flip_sin_to_cos, else [sin, cos]. */
    NDArray project(NDArray t) {
        // 1. arguments t_n * f_i: (N, dim/2)
        NDArray args = t.toType(DataType.FLOAT32, false).expandDims(1).mul(frequencies);
        // 2. concatenate the two halves
        NDArray sin = args.sin();
        NDArray cos = args.cos();
        NDArray emb = flipSinToCos ? NDArrays.concat(new NDList(cos, sin), 1) : NDArrays.concat(new NDList(sin, cos), 1);
        if (dim % 2 == 1) {
            emb = emb.pad(new Shape(0, 1, 0, 0), 0);
        }
        return emb;
    }

    /** The MLP on already projected features x: (N, inDim) -> (N, outDim). */
    NDArray mlp(NDArray x) {
        NDArray h = linear2.forward(Activations.apply(activation, linear1.forward(x)));
        return postActivation == null ? h : Activations.apply(postActivation, h);
    }
}
