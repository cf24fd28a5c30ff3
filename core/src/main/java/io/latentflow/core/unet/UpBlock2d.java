package io.latentflow.core.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import io.latentflow.core.nn.ResnetBlock2d;
import io.latentflow.core.nn.Upsample2d;

import java.util.List;

/**
 * diffusers CrossAttnUpBlock2D / UpBlock2D: each resnet takes the running map concatenated on channels with the
 * latest unused skip connection, optionally followed by a Transformer2DModel; then an optional 2x upsampler.
 */
final class UpBlock2d {

    private final List<ResnetBlock2d> resnets;
    private final List<Transformer2dModel> attentions;
    private final Upsample2d upsampler;

    UpBlock2d(List<ResnetBlock2d> resnets, List<Transformer2dModel> attentions, Upsample2d upsampler) {
        this.resnets = resnets;
        this.attentions = attentions;
        this.upsampler = upsampler;
    }

    int layers() {
        return resnets.size();
    }

    /**
     * x: (B, Cprev, H, W); consumes {@code layers()} skips from the end of the list; {@code upsampleTo} is the
     * (height, width) of the next skip, or null for the last block.
     */
    NDArray forward(NDArray x, NDArray activatedTemb, NDArray context, List<NDArray> skips, long[] upsampleTo) {
        // the running map and the consumed skips are not used again: free them as soon as they are consumed
        NDArray h = x;
        for (int i = 0; i < resnets.size(); i++) {
            NDArray skip = skips.remove(skips.size() - 1);
            NDArray joined = NDArrays.concat(new NDList(h, skip), 1);
            h.close();
            skip.close();
            h = resnets.get(i).forward(joined, activatedTemb);
            joined.close();
            if (attentions != null) {
                NDArray attended = attentions.get(i).forward(h, context);
                h.close();
                h = attended;
            }
        }
        if (upsampler != null) {
            NDArray up = upsampleTo == null ? upsampler.forward(h) : upsampler.forward(h, upsampleTo[0], upsampleTo[1]);
            h.close();
            h = up;
        }
        return h;
    }
}
