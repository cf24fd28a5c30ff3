package io.latentflow.core.vae;

import ai.djl.ndarray.NDArray;
import io.latentflow.core.nn.Activations;
import io.latentflow.core.nn.Conv2d;
import io.latentflow.core.nn.GroupNorm;
import io.latentflow.core.nn.ResnetBlock2d;
import io.latentflow.core.nn.Upsample2d;
import io.latentflow.core.nn.Weights;

import java.util.ArrayList;
import java.util.List;

/**
 * diffusers VAE Decoder: conv_in, mid_block, UpDecoderBlock2D up_blocks (layers_per_block + 1 resnets, then a 2x
 * nearest upsampler with a conv on all but the last), conv_norm_out, SiLU, conv_out to image channels.
 */
final class Decoder {

    private final Conv2d convIn;
    private final VaeMidBlock midBlock;
    private final List<List<ResnetBlock2d>> resnets;
    private final List<Upsample2d> upsamplers;
    private final GroupNorm convNormOut;
    private final Conv2d convOut;

    private Decoder(Conv2d convIn, VaeMidBlock midBlock, List<List<ResnetBlock2d>> resnets,
                    List<Upsample2d> upsamplers, GroupNorm convNormOut, Conv2d convOut) {
        this.convIn = convIn;
        this.midBlock = midBlock;
        this.resnets = resnets;
        this.upsamplers = upsamplers;
        this.convNormOut = convNormOut;
        this.convOut = convOut;
    }

    static Decoder load(Weights w, AutoencoderKlConfig c) {
        List<Integer> channels = c.blockOutChannels();
        ResnetBlock2d.Settings resnet = c.resnet();
        int n = channels.size();
        int last = channels.get(n - 1);
        List<List<ResnetBlock2d>> resnets = new ArrayList<>();
        List<Upsample2d> upsamplers = new ArrayList<>();
        int out = last;
        for (int i = 0; i < n; i++) {
            int prev = out;
            out = channels.get(n - 1 - i);
            Weights b = w.child("up_blocks").child(i);
            List<ResnetBlock2d> block = new ArrayList<>();
            for (int j = 0; j < c.layersPerBlock() + 1; j++) {
                block.add(ResnetBlock2d.load(b.child("resnets").child(j), j == 0 ? prev : out, out, resnet));
            }
            resnets.add(block);
            upsamplers.add(i < n - 1 ? Upsample2d.load(b.child("upsamplers").child(0), out, out) : null);
        }
        return new Decoder(Conv2d.load(w.child("conv_in"), c.latentChannels(), last, 3, 1, 1),
                VaeMidBlock.load(w.child("mid_block"), last, resnet, c.midBlockAddAttention()), resnets,
                upsamplers, GroupNorm.load(w.child("conv_norm_out"), resnet.groups(), channels.get(0), resnet.eps()),
                Conv2d.load(w.child("conv_out"), channels.get(0), c.outChannels(), 3, 1, 1));
    }

    /** z: (B, latent, h, w) -> (B, 3, h * f, w * f). */
    NDArray forward(NDArray z) {
        return convOut.forward(lastLayerInput(z));
    }

    /** The input of conv_out, the last layer: (B, C0, h * f, w * f). */
    NDArray lastLayerInput(NDArray z) {
        NDArray h = midBlock.forward(convIn.forward(z));
        for (int i = 0; i < resnets.size(); i++) {
            for (ResnetBlock2d r : resnets.get(i)) {
                h = r.forward(h, null);
            }
            if (upsamplers.get(i) != null) {
                h = upsamplers.get(i).forward(h);
            }
        }
        return Activations.silu(convNormOut.forward(h));
    }

    /** conv_out, the last layer. */
    Conv2d convOut() {
        return convOut;
    }
}
