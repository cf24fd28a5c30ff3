package io.latentflow.core.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.nn.Attention;
import io.latentflow.core.nn.GroupNorm;
import io.latentflow.core.nn.Linear;
import io.latentflow.core.nn.Scalars;
import io.latentflow.core.nn.Scope;
import io.latentflow.core.nn.Weights;

/**
 * The VAE mid-block self-attention over all H*W positions (diffusers Attention with group_norm, residual connection
 * and rescale_output_factor): x + to_out.0(softmax(q k^T / sqrt(C)) v), q/k/v = to_q/to_k/to_v(group_norm(x)).
 */
final class MidBlockAttention {

    private final GroupNorm groupNorm;
    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;
    private final int heads;
    private final float rescaleOutputFactor;

    private MidBlockAttention(GroupNorm groupNorm, Linear toQ, Linear toK, Linear toV, Linear toOut, int heads,
                              float rescaleOutputFactor) {
        this.groupNorm = groupNorm;
        this.toQ = toQ;
        this.toK = toK;
        this.toV = toV;
        this.toOut = toOut;
        this.heads = heads;
        this.rescaleOutputFactor = rescaleOutputFactor;
    }

    /** One head of {@code channels} (diffusers passes attention_head_dim = channels). */
    static MidBlockAttention load(Weights w, long channels, int groups, float eps) {
        return new MidBlockAttention(GroupNorm.load(w.child("group_norm"), groups, channels, eps),
                Linear.load(w.child("to_q"), channels, channels, true),
                Linear.load(w.child("to_k"), channels, channels, true),
                Linear.load(w.child("to_v"), channels, channels, true),
                Linear.load(w.child("to_out").child(0), channels, channels, true), 1, 1f);
    }

    /** x: (B, C, H, W) -> (B, C, H, W). */
    NDArray forward(NDArray x) {
        return Scope.run(() -> compute(x), x);
    }

    private NDArray compute(NDArray x) {
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        long hw = s.get(2) * s.get(3);
        // tokens: (B, H*W, C)
        NDArray tokens = groupNorm.forward(x).reshape(b, c, hw).transpose(0, 2, 1);
        NDArray attended = Attention.scaledDotProduct(toQ.forward(tokens), toK.forward(tokens), toV.forward(tokens),
                heads, null, true);
        NDArray out = toOut.forward(attended).transpose(0, 2, 1).reshape(s).add(x);
        return rescaleOutputFactor == 1f ? out : Scalars.div(out, rescaleOutputFactor);
    }
}
