package io.latentflow.core.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.nn.Conv2d;
import io.latentflow.core.nn.GroupNorm;
import io.latentflow.core.nn.Linear;
import io.latentflow.core.nn.Scope;
import io.latentflow.core.nn.Weights;

import java.util.ArrayList;
import java.util.List;

/**
 * diffusers Transformer2DModel over a continuous feature map: GroupNorm, proj_in (1x1 conv, or linear with
 * use_linear_projection), a stack of transformer_blocks over the H*W tokens, proj_out, plus the input as residual.
 */
final class Transformer2dModel {

    private static final float NORM_EPS = 1e-6f;

    private final GroupNorm norm;
    private final Conv2d projInConv;
    private final Linear projInLinear;
    private final List<BasicTransformerBlock> blocks;
    private final Conv2d projOutConv;
    private final Linear projOutLinear;

    private Transformer2dModel(GroupNorm norm, Conv2d projInConv, Linear projInLinear,
                               List<BasicTransformerBlock> blocks, Conv2d projOutConv, Linear projOutLinear) {
        this.norm = norm;
        this.projInConv = projInConv;
        this.projInLinear = projInLinear;
        this.blocks = blocks;
        this.projOutConv = projOutConv;
        this.projOutLinear = projOutLinear;
    }

    /**
     * How one block's transformer is built.
     *
     * @param heads      attention heads; channels / heads is the head size
     * @param contextDim width of the encoder hidden states its cross-attention reads
     * @param depth      number of transformer_blocks
     */
    record Settings(int heads, long contextDim, int depth, int groups, boolean linearProjection,
                    boolean onlyCrossAttention, boolean upcast) {
    }

    /** channels: feature map width, equal to heads * head size in every UNet2DConditionModel block. */
    static Transformer2dModel load(Weights w, long channels, Settings s) {
        long headDim = channels / s.heads();
        long inner = headDim * s.heads();
        List<BasicTransformerBlock> blocks = new ArrayList<>();
        for (int i = 0; i < s.depth(); i++) {
            blocks.add(BasicTransformerBlock.load(w.child("transformer_blocks").child(i), inner, s.heads(),
                    s.contextDim(), s.onlyCrossAttention(), s.upcast()));
        }
        GroupNorm norm = GroupNorm.load(w.child("norm"), s.groups(), channels, NORM_EPS);
        if (s.linearProjection()) {
            return new Transformer2dModel(norm, null, Linear.load(w.child("proj_in"), channels, inner, true), blocks,
                    null, Linear.load(w.child("proj_out"), inner, channels, true));
        }
        return new Transformer2dModel(norm, Conv2d.load(w.child("proj_in"), channels, inner, 1, 1, 0), null, blocks,
                Conv2d.load(w.child("proj_out"), inner, channels, 1, 1, 0), null);
    }

    /** x: (B, C, H, W), context: (B, S, D) -> (B, C, H, W). */
    NDArray forward(NDArray x, NDArray context) {
        return Scope.run(() -> compute(x, context), x, context);
    }

    private NDArray compute(NDArray x, NDArray context) {
        Shape s = x.getShape();
        long b = s.get(0);
        long h = s.get(2);
        long w = s.get(3);
        // 1. tokens: (B, H*W, inner)
        NDArray tokens;
        NDArray normed = norm.forward(x);
        if (projInConv != null) {
            NDArray projected = projInConv.forward(normed);
            tokens = projected.transpose(0, 2, 3, 1).reshape(b, h * w, projected.getShape().get(1));
        } else {
            tokens = projInLinear.forward(normed.transpose(0, 2, 3, 1).reshape(b, h * w, s.get(1)));
        }
        // 2. transformer blocks
        for (BasicTransformerBlock block : blocks) {
            NDArray next = block.forward(tokens, context);
            tokens.close();
            tokens = next;
        }
        // 3. back to (B, C, H, W), plus the residual
        NDArray out;
        if (projOutConv != null) {
            out = projOutConv.forward(tokens.reshape(b, h, w, tokens.getShape().get(2)).transpose(0, 3, 1, 2));
        } else {
            out = projOutLinear.forward(tokens).reshape(b, h, w, s.get(1)).transpose(0, 3, 1, 2);
        }
        return out.add(x);
    }
}
