package io.latentflow.core.unet;

import ai.djl.ndarray.NDArray;
import io.latentflow.core.nn.ResnetBlock2d;

import java.util.List;

/** diffusers UNetMidBlock2DCrossAttn: resnets.0, then (attentions.i, resnets.i+1) pairs. */
final class MidBlock2dCrossAttn {

    private final List<ResnetBlock2d> resnets;
    private final List<Transformer2dModel> attentions;

    MidBlock2dCrossAttn(List<ResnetBlock2d> resnets, List<Transformer2dModel> attentions) {
        this.resnets = resnets;
        this.attentions = attentions;
    }

    /** x: (B, C, H, W) -> (B, C, H, W). */
    NDArray forward(NDArray x, NDArray activatedTemb, NDArray context) {
        NDArray h = resnets.get(0).forward(x, activatedTemb);
        for (int i = 0; i < attentions.size(); i++) {
            h = attentions.get(i).forward(h, context);
            h = resnets.get(i + 1).forward(h, activatedTemb);
        }
        return h;
    }
}
