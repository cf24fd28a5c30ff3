package io.latentflow.core.vae;

import io.latentflow.core.model.ConfigJson;
import io.latentflow.core.model.ModelLoadException;
import io.latentflow.core.nn.ResnetBlock2d;

import java.nio.file.Path;
import java.util.List;

/**
 * The configuration of a diffusers {@code AutoencoderKL}, with diffusers 0.27.2 defaults for absent keys
 * ({@code shift_factor} 0 when absent or null; newer keys use_quant_conv, use_post_quant_conv and
 * mid_block_add_attention default to true).
 */
public record AutoencoderKlConfig(
        int inChannels,
        int outChannels,
        List<String> downBlockTypes,
        List<String> upBlockTypes,
        List<Integer> blockOutChannels,
        int layersPerBlock,
        String actFn,
        int latentChannels,
        int normNumGroups,
        int sampleSize,
        double scalingFactor,
        double shiftFactor,
        List<Double> latentsMean,
        List<Double> latentsStd,
        boolean forceUpcast,
        boolean useQuantConv,
        boolean usePostQuantConv,
        boolean midBlockAddAttention) {

    /** The settings of every resnet block of the encoder and decoder (no time embedding, diffusers' eps 1e-6). */
    public ResnetBlock2d.Settings resnet() {
        return ResnetBlock2d.Settings.withoutTime(normNumGroups, 1e-6f, actFn);
    }

    /** Reads {@code config.json} of a VAE component folder. */
    public static AutoencoderKlConfig load(Path configFile) {
        return parse(ConfigJson.read(configFile));
    }

    /** Resolves a parsed config, refusing block types this implementation does not provide. */
    public static AutoencoderKlConfig parse(ConfigJson c) {
        Path file = c.file();
        c.requireClassName("AutoencoderKL");
        List<String> down = c.strings("down_block_types", List.of("DownEncoderBlock2D"));
        List<String> up = c.strings("up_block_types", List.of("UpDecoderBlock2D"));
        List<Integer> channels = c.integers("block_out_channels", List.of(64));
        for (String t : down) {
            if (!t.equals("DownEncoderBlock2D")) {
                throw new ModelLoadException(file + ": unsupported AutoencoderKL down block type " + t);
            }
        }
        for (String t : up) {
            if (!t.equals("UpDecoderBlock2D")) {
                throw new ModelLoadException(file + ": unsupported AutoencoderKL up block type " + t);
            }
        }
        c.requireSameLength(List.of("down_block_types", "up_block_types", "block_out_channels"),
                down.size(), up.size(), channels.size());
        return new AutoencoderKlConfig(
                c.integer("in_channels", 3),
                c.integer("out_channels", 3),
                down, up, channels,
                c.integer("layers_per_block", 1),
                c.string("act_fn", "silu"),
                c.integer("latent_channels", 4),
                c.integer("norm_num_groups", 32),
                c.integer("sample_size", 32),
                c.number("scaling_factor", 0.18215),
                c.number("shift_factor", 0),
                c.numbers("latents_mean"),
                c.numbers("latents_std"),
                c.bool("force_upcast", true),
                c.bool("use_quant_conv", true),
                c.bool("use_post_quant_conv", true),
                c.bool("mid_block_add_attention", true));
    }

    /** Spatial downsampling factor between image and latent: 2^(blocks - 1) (8 for Stable Diffusion). */
    public int scaleFactor() {
        return 1 << (blockOutChannels.size() - 1);
    }
}
