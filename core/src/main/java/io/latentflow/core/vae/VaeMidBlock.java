package io.latentflow.core.vae;

import ai.djl.ndarray.NDArray;
import io.latentflow.core.nn.ResnetBlock2d;
import io.latentflow.core.nn.Weights;

/** diffusers UNetMidBlock2D as used by the VAE: resnets.0, attentions.0 (optional), resnets.1; no time embedding. */
final class VaeMidBlock {

    private final ResnetBlock2d first;
    private final MidBlockAttention attention;
    private final ResnetBlock2d second;

    private VaeMidBlock(ResnetBlock2d first, MidBlockAttention attention, ResnetBlock2d second) {
        this.first = first;
        this.attention = attention;
        this.second = second;
    }

    static VaeMidBlock load(Weights w, long channels, ResnetBlock2d.Settings resnet, boolean withAttention) {
        return new VaeMidBlock(
                ResnetBlock2d.load(w.child("resnets").child(0), channels, channels, resnet),
                withAttention ? MidBlockAttention.load(w.child("attentions").child(0), channels, resnet.groups(),
                        resnet.eps()) : null,
                ResnetBlock2d.load(w.child("resnets").child(1), channels, channels, resnet));
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
