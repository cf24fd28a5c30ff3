package io.latentflow.core.vae;

import ai.djl.ndarray.NDArray;
import io.latentflow.core.nn.Activations;
import io.latentflow.core.nn.Conv2d;
import io.latentflow.core.nn.Downsample2d;
import io.latentflow.core.nn.GroupNorm;
import io.latentflow.core.nn.ResnetBlock2d;
import io.latentflow.core.nn.Weights;

import java.util.ArrayList;
import java.util.List;

/**
 * diffusers VAE Encoder: conv_in, DownEncoderBlock2D down_blocks (resnets, then a stride-2 downsampler with
 * asymmetric padding on all but the last), mid_block, conv_norm_out, SiLU, conv_out to 2 * latent channels (mean and
 * log-variance).
 */
final class Encoder {

    private final Conv2d convIn;
    private final List<List<ResnetBlock2d>> resnets;
    private final List<Downsample2d> downsamplers;
    private final VaeMidBlock midBlock;
    private final GroupNorm convNormOut;
    private final Conv2d convOut;

    private Encoder(Conv2d convIn, List<List<ResnetBlock2d>> resnets, List<Downsample2d> downsamplers,
                    VaeMidBlock midBlock, GroupNorm convNormOut, Conv2d convOut) {
        this.convIn = convIn;
        this.resnets = resnets;
        this.downsamplers = downsamplers;
        this.midBlock = midBlock;
        this.convNormOut = convNormOut;
        this.convOut = convOut;
    }

    static Encoder load(Weights w, AutoencoderKlConfig c) {
        List<Integer> channels = c.blockOutChannels();
        ResnetBlock2d.Settings resnet = c.resnet();
        int n = channels.size();
        List<List<ResnetBlock2d>> resnets = new ArrayList<>();
        List<Downsample2d> downsamplers = new ArrayList<>();
        int out = channels.get(0);
        for (int i = 0; i < n; i++) {
            int in = out;
            out = channels.get(i);
            Weights b = w.child("down_blocks").child(i);
            List<ResnetBlock2d> block = new ArrayList<>();
            for (int j = 0; j < c.layersPerBlock(); j++) {
                block.add(ResnetBlock2d.load(b.child("resnets").child(j), j == 0 ? in : out, out, resnet));
            }
            resnets.add(block);
            downsamplers.add(i < n - 1 ? Downsample2d.load(b.child("downsamplers").child(0), out, out, 0) : null);
        }
        int last = channels.get(n - 1);
        return new Encoder(Conv2d.load(w.child("conv_in"), c.inChannels(), channels.get(0), 3, 1, 1), resnets,
                downsamplers, VaeMidBlock.load(w.child("mid_block"), last, resnet, c.midBlockAddAttention()),
                GroupNorm.load(w.child("conv_norm_out"), resnet.groups(), last, resnet.eps()),
                Conv2d.load(w.child("conv_out"), last, 2L * c.latentChannels(), 3, 1, 1));
    }

    /** x: (B, 3, H, W) -> moments (B, 2 * latent, H / f, W / f). */
    NDArray forward(NDArray x) {
        NDArray h = convIn.forward(x);
        for (int i = 0; i < resnets.size(); i++) {
            for (ResnetBlock2d r : resnets.get(i)) {
                h = r.forward(h, null);
            }
            if (downsamplers.get(i) != null) {
                h = downsamplers.get(i).forward(h);
            }
        }
        h = midBlock.forward(h);
        return convOut.forward(Activations.silu(convNormOut.forward(h)));
    }
}
