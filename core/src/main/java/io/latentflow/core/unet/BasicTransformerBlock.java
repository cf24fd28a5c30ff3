package io.latentflow.core.unet;

import ai.djl.ndarray.NDArray;
import io.latentflow.core.nn.LayerNorm;
import io.latentflow.core.nn.Scope;
import io.latentflow.core.nn.Weights;

/**
 * diffusers BasicTransformerBlock (layer_norm variant): x += attn1(norm1(x)) (self-attention, or cross-attention
 * with only_cross_attention); x += attn2(norm2(x), context); x += ff(norm3(x)).
 */
final class BasicTransformerBlock {

    private static final float NORM_EPS = 1e-5f;

    private final LayerNorm norm1;
    private final CrossAttention attn1;
    private final LayerNorm norm2;
    private final CrossAttention attn2;
    private final LayerNorm norm3;
    private final FeedForward ff;
    private final boolean onlyCrossAttention;

    private BasicTransformerBlock(LayerNorm norm1, CrossAttention attn1, LayerNorm norm2, CrossAttention attn2,
                                  LayerNorm norm3, FeedForward ff, boolean onlyCrossAttention) {
        this.norm1 = norm1;
        this.attn1 = attn1;
        this.norm2 = norm2;
        this.attn2 = attn2;
        this.norm3 = norm3;
        this.ff = ff;
        this.onlyCrossAttention = onlyCrossAttention;
    }

    static BasicTransformerBlock load(Weights w, long dim, int heads, long contextDim, boolean onlyCrossAttention,
                                      boolean upcast) {
        return new BasicTransformerBlock(
                LayerNorm.load(w.child("norm1"), dim, NORM_EPS),
                CrossAttention.load(w.child("attn1"), dim, onlyCrossAttention ? contextDim : dim, dim, heads, upcast,
                        !onlyCrossAttention),
                LayerNorm.load(w.child("norm2"), dim, NORM_EPS),
                CrossAttention.load(w.child("attn2"), dim, contextDim, dim, heads, upcast, false),
                LayerNorm.load(w.child("norm3"), dim, NORM_EPS),
                FeedForward.load(w.child("ff"), dim, false),
                onlyCrossAttention);
    }

    /** x: (B, L, dim), context: (B, S, contextDim) -> (B, L, dim). */
    NDArray forward(NDArray x, NDArray context) {
        NDArray selfAttended = Scope.run(
                () -> x.add(attn1.forward(norm1.forward(x), onlyCrossAttention ? context : null)), x, context);
        NDArray crossAttended = Scope.run(
                () -> selfAttended.add(attn2.forward(norm2.forward(selfAttended), context)), selfAttended, context);
        selfAttended.close();
        NDArray out = Scope.run(() -> crossAttended.add(ff.forward(norm3.forward(crossAttended))), crossAttended);
        crossAttended.close();
        return out;
    }
}
