package io.latentflow.core.unet;

import ai.djl.ndarray.NDArray;
import io.latentflow.core.nn.Attention;
import io.latentflow.core.nn.Linear;
import io.latentflow.core.nn.Weights;

/**
 * diffusers Attention as used in transformer blocks: to_q over the hidden states, to_k/to_v over the context (the
 * hidden states themselves for self-attention), multi-head softmax attention, then to_out.0.
 */
final class CrossAttention {

    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;
    private final int heads;
    private final boolean upcast;

    private CrossAttention(Linear toQ, Linear toK, Linear toV, Linear toOut, int heads, boolean upcast) {
        this.toQ = toQ;
        this.toK = toK;
        this.toV = toV;
        this.toOut = toOut;
        this.heads = heads;
        this.upcast = upcast;
    }

    /**
     * @param queryDim   width of the hidden states
     * @param contextDim width of the context (queryDim for self-attention)
     * @param innerDim   heads * head size
     */
    static CrossAttention load(Weights w, long queryDim, long contextDim, long innerDim, int heads, boolean upcast) {
        return new CrossAttention(projection(w.child("to_q"), queryDim, innerDim),
                projection(w.child("to_k"), contextDim, innerDim), projection(w.child("to_v"), contextDim, innerDim),
                Linear.load(w.child("to_out").child(0), innerDim, queryDim, true), heads, upcast);
    }

    private static Linear projection(Weights w, long in, long out) {
        return new Linear(w.get("weight", out, in), w.optional("bias", out));
    }

    /** x: (B, L, queryDim), context: (B, S, contextDim) or null for self-attention -> (B, L, queryDim). */
    NDArray forward(NDArray x, NDArray context) {
        NDArray source = context == null ? x : context;
        NDArray q = toQ.forward(x);
        NDArray k = toK.forward(source);
        NDArray v = toV.forward(source);
        return toOut.forward(Attention.scaledDotProduct(q, k, v, heads, null, upcast));
    }
}
