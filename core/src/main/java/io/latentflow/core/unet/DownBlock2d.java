package io.latentflow.core.unet;

import ai.djl.ndarray.NDArray;
import io.latentflow.core.nn.Downsample2d;
import io.latentflow.core.nn.ResnetBlock2d;

import java.util.List;

/**
 * diffusers CrossAttnDownBlock2D (resnets each followed by a Transformer2DModel) or DownBlock2D (resnets only),
 * then an optional stride-2 downsampler; every intermediate output is kept for the up path's skip connections.
 */
final class DownBlock2d {

    private final List<ResnetBlock2d> resnets;
    private final List<Transformer2dModel> attentions;
    private final Downsample2d downsampler;

    DownBlock2d(List<ResnetBlock2d> resnets, List<Transformer2dModel> attentions, Downsample2d downsampler) {
        this.resnets = resnets;
        this.attentions = attentions;
        this.downsampler = downsampler;
    }

    /** x: (B, Cin, H, W) -> (B, Cout, H', W'); appends each resnet(+attention) output and the downsampled map to skips. */
    NDArray forward(NDArray x, NDArray activatedTemb, NDArray context, List<NDArray> skips) {
        NDArray h = x;
        for (int i = 0; i < resnets.size(); i++) {
            h = resnets.get(i).forward(h, activatedTemb);
            if (attentions != null) {
                h = attentions.get(i).forward(h, context);
            }
            skips.add(h);
        }
        if (downsampler != null) {
            h = downsampler.forward(h);
            skips.add(h);
        }
        return h;
    }
}
