package io.latentflow.core.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.nn.Attention;
import io.latentflow.core.nn.Linear;
import io.latentflow.core.nn.Scalars;
import io.latentflow.core.nn.Weights;

/**
 * diffusers Attention as used in transformer blocks: to_q over the hidden states, to_k/to_v over the context (the
 * hidden states themselves for self-attention), multi-head softmax attention, then to_out.0.
 * For speed the projections are fused at load time: [to_q; to_k; to_v] for self-attention, [to_k; to_v] for
 * cross-attention, with 1/sqrt(head size) folded into to_q's weights.
 */
final class CrossAttention {

    private final Linear toQkv;
    private final Linear toQ;
    private final Linear toKv;
    private final Linear toOut;
    private final int heads;
    private final boolean upcast;

    private CrossAttention(Linear toQkv, Linear toQ, Linear toKv, Linear toOut, int heads, boolean upcast) {
        this.toQkv = toQkv;
        this.toQ = toQ;
        this.toKv = toKv;
        this.toOut = toOut;
        this.heads = heads;
        this.upcast = upcast;
    }

    /**
     * @param queryDim      width of the hidden states
     * @param contextDim    width of the context (queryDim for self-attention)
     * @param innerDim      heads * head size
     * @param selfAttention keys and values come from the hidden states themselves
     */
    static CrossAttention load(Weights w, long queryDim, long contextDim, long innerDim, int heads, boolean upcast,
                               boolean selfAttention) {
        float scale = (float) (1.0 / Math.sqrt(innerDim / heads));
        NDArray wq = w.child("to_q").get("weight", innerDim, queryDim);
        NDArray wk = w.child("to_k").get("weight", innerDim, contextDim);
        NDArray wv = w.child("to_v").get("weight", innerDim, contextDim);
        NDArray bq = w.child("to_q").optional("bias", innerDim);
        NDArray bk = w.child("to_k").optional("bias", innerDim);
        NDArray bv = w.child("to_v").optional("bias", innerDim);
        Linear out = Linear.load(w.child("to_out").child(0), innerDim, queryDim, true);
        if (!shaped(wq, innerDim, queryDim) || !shaped(wk, innerDim, contextDim) || !shaped(wv, innerDim, contextDim)
                || (bq != null && !shaped(bq, innerDim)) || (bk != null && !shaped(bk, innerDim))
                || (bv != null && !shaped(bv, innerDim))) {
            // missing or mis-shaped: the load report names them and loading fails before any forward pass
            return new CrossAttention(null, null, null, out, heads, upcast);
        }
        boolean biased = bq != null || bk != null || bv != null;
        NDArray zeros = biased ? wq.getManager().zeros(new Shape(innerDim), wq.getDataType()) : null;
        NDArray scaledWq = Scalars.mul(wq, scale);
        NDArray scaledBq = biased ? Scalars.mul(bq != null ? bq : zeros, scale) : null;
        NDArray kBias = biased ? (bk != null ? bk : zeros) : null;
        NDArray vBias = biased ? (bv != null ? bv : zeros) : null;
        CrossAttention fused;
        if (selfAttention) {
            NDArray qkv = NDArrays.concat(new NDList(scaledWq, wk, wv), 0);
            NDArray qkvBias = biased ? NDArrays.concat(new NDList(scaledBq, kBias, vBias), 0) : null;
            closeAll(scaledWq, scaledBq);
            fused = new CrossAttention(new Linear(qkv, qkvBias), null, null, out, heads, upcast);
        } else {
            NDArray kv = NDArrays.concat(new NDList(wk, wv), 0);
            NDArray kvBias = biased ? NDArrays.concat(new NDList(kBias, vBias), 0) : null;
            fused = new CrossAttention(null, new Linear(scaledWq, scaledBq), new Linear(kv, kvBias), out, heads,
                    upcast);
        }
        // the checkpoint's separate projections are no longer needed: free them rather than hold both copies
        // (trainable parameters stay: the fused forms are derived from them in each step's graph)
        if (!w.isTrainable()) {
            closeAll(wq, wk, wv, bq, bk, bv, zeros);
        }
        return fused;
    }

    private static boolean shaped(NDArray a, long... shape) {
        return a != null && a.getShape().equals(new Shape(shape));
    }

    private static void closeAll(NDArray... arrays) {
        for (NDArray a : arrays) {
            if (a != null) {
                a.close();
            }
        }
    }

    /** x: (B, L, queryDim), context: (B, S, contextDim) or null for self-attention -> (B, L, queryDim). */
    NDArray forward(NDArray x, NDArray context) {
        NDArray q;
        NDArray k;
        NDArray v;
        if (toQkv != null) {
            NDArray qkv = toQkv.forward(x);
            NDList parts = qkv.split(3, 2);
            q = parts.get(0);
            k = parts.get(1);
            v = parts.get(2);
        } else {
            q = toQ.forward(x);
            NDArray kv = toKv.forward(context);
            NDList parts = kv.split(2, 2);
            k = parts.get(0);
            v = parts.get(1);
        }
        return toOut.forward(Attention.withScale(q, k, v, heads, null, upcast, 1f));
    }
}
