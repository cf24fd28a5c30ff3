package io.latentflow.core.vae;

import ai.djl.ndarray.NDArray;
import io.latentflow.core.nn.ResnetBlock2d;
import io.latentflow.core.nn.Weights;

/** diffusers UNetMidBlock2D as used by the VAE: resnets.0, attentions.0 (optional), resnets.1; no time embedding. */
final class VaeMidBlock {

    private static final float EPS = 1e-6f;

    private final ResnetBlock2d first;
    private final MidBlockAttention attention;
    private final ResnetBlock2d second;

    private VaeMidBlock(ResnetBlock2d first, MidBlockAttention attention, ResnetBlock2d second) {
        this.first = first;
        this.attention = attention;
        this.second = second;
    }

    static VaeMidBlock load(Weights w, long channels, int groups, String act, boolean withAttention) {
        return new VaeMidBlock(
                ResnetBlock2d.load(w.child("resnets").child(0), channels, channels, 0, groups, EPS, act, false, 1f),
                withAttention ? MidBlockAttention.load(w.child("attentions").child(0), channels, groups, EPS) : null,
                ResnetBlock2d.load(w.child("resnets").child(1), channels, channels, 0, groups, EPS, act, false, 1f));
    }

    /** x: (B, C, H, W) -> (B, C, H, W). */
    NDArray forward(NDArray x) {
        NDArray h = first.forward(x, null);
        if (attention != null) {
            h = attention.forward(h);
        }
        return second.forward(h, null);
    }
}
