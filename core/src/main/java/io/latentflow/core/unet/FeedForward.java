package io.latentflow.core.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.latentflow.core.nn.Activations;
import io.latentflow.core.nn.Linear;
import io.latentflow.core.nn.Weights;

/**
 * diffusers FeedForward with GEGLU (Shazeer 2020): net.0.proj gives (hidden, gate), out = net.2(hidden * gelu(gate)).
 */
final class FeedForward {

    private final Linear proj;
    private final Linear out;
    private final boolean approximate;

    private FeedForward(Linear proj, Linear out, boolean approximate) {
        this.proj = proj;
        this.out = out;
        this.approximate = approximate;
    }

    /** inner = 4 * dim (diffusers' mult); GEGLU's projection is 2 * inner wide. */
    static FeedForward load(Weights w, long dim, boolean approximateGelu) {
        long inner = dim * 4;
        return new FeedForward(Linear.load(w.child("net").child(0).child("proj"), dim, inner * 2, true),
                Linear.load(w.child("net").child(2), inner, dim, true), approximateGelu);
    }

    /** x: (B, L, dim) -> (B, L, dim). */
    NDArray forward(NDArray x) {
        NDArray projected = proj.forward(x);
        NDList halves = projected.split(2, projected.getShape().dimension() - 1);
        NDArray gate = approximate ? Activations.geluTanh(halves.get(1)) : Activations.gelu(halves.get(1));
        return out.forward(halves.get(0).mul(gate));
    }
}
