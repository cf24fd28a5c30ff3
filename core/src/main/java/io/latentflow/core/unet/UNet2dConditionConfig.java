package io.latentflow.core.unet;

import com.fasterxml.jackson.databind.JsonNode;
import io.latentflow.core.model.ConfigJson;
import io.latentflow.core.model.ModelLoadException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The configuration of a diffusers {@code UNet2DConditionModel}, with diffusers 0.27.2 defaults for absent keys and
 * per-block lists already expanded (an int in config.json applies to every block).
 *
 * @param attentionHeads          heads per down block; diffusers 0.27.2 reads {@code attention_head_dim} as the
 *                                number of heads when {@code num_attention_heads} is null (its long-standing naming)
 * @param downTransformerLayers   transformer depth per down block, per resnet layer of that block
 * @param upTransformerLayers     transformer depth per up block, per resnet layer (layers_per_block + 1)
 * @param midTransformerLayers    transformer depth of the mid block
 */
public record UNet2dConditionConfig(
        Integer sampleSize,
        int inChannels,
        int outChannels,
        boolean centerInputSample,
        boolean flipSinToCos,
        double freqShift,
        List<String> downBlockTypes,
        String midBlockType,
        List<String> upBlockTypes,
        List<Boolean> onlyCrossAttention,
        List<Integer> blockOutChannels,
        List<Integer> layersPerBlock,
        int downsamplePadding,
        double midBlockScaleFactor,
        String actFn,
        int normNumGroups,
        double normEps,
        List<Integer> crossAttentionDims,
        List<List<Integer>> downTransformerLayers,
        List<List<Integer>> upTransformerLayers,
        int midTransformerLayers,
        List<Integer> attentionHeads,
        boolean useLinearProjection,
        String additionEmbedType,
        Integer additionTimeEmbedDim,
        Integer projectionClassEmbeddingsInputDim,
        boolean upcastAttention,
        String resnetTimeScaleShift,
        boolean resnetSkipTimeAct,
        int timeEmbedDim,
        String timeEmbeddingActFn,
        String timestepPostAct,
        int convInKernel,
        int convOutKernel,
        Integer encoderHidDim) {

    /** Reads {@code config.json} of a UNet component folder. */
    public static UNet2dConditionConfig load(Path configFile) {
        return parse(ConfigJson.read(configFile));
    }

    /** Resolves a parsed config, refusing options this implementation does not provide. */
    public static UNet2dConditionConfig parse(ConfigJson c) {
        Path file = c.file();
        c.requireClassName("UNet2DConditionModel");
        List<String> down = c.strings("down_block_types",
                List.of("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"));
        List<String> up = c.strings("up_block_types",
                List.of("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"));
        List<Integer> channels = c.integers("block_out_channels", List.of(320, 640, 1280, 1280));
        c.requireSameLength(List.of("down_block_types", "up_block_types", "block_out_channels"),
                down.size(), up.size(), channels.size());
        int blocks = down.size();
        for (String t : down) {
            require(file, t.equals("CrossAttnDownBlock2D") || t.equals("DownBlock2D"), "down block type " + t);
        }
        for (String t : up) {
            require(file, t.equals("CrossAttnUpBlock2D") || t.equals("UpBlock2D"), "up block type " + t);
        }
        boolean noMid = c.root().has("mid_block_type") && c.root().get("mid_block_type").isNull();
        String mid = noMid ? null : c.string("mid_block_type", "UNetMidBlock2DCrossAttn");
        require(file, mid == null || mid.equals("UNetMidBlock2DCrossAttn"), "mid_block_type " + mid);
        if (c.has("num_attention_heads")) {
            throw new ModelLoadException(file + ": num_attention_heads is set; diffusers 0.27.2 refuses it for "
                    + "UNet2DConditionModel (attention_head_dim gives the number of heads)");
        }
        require(file, !c.bool("dual_cross_attention", false), "dual_cross_attention true");
        require(file, !c.has("class_embed_type") && !c.has("num_class_embeds"), "class embeddings");
        require(file, c.string("time_embedding_type", "positional").equals("positional"),
                "time_embedding_type " + c.string("time_embedding_type", ""));
        require(file, !c.has("time_cond_proj_dim"), "time_cond_proj_dim");
        require(file, c.string("attention_type", "default").equals("default"), "attention_type");
        require(file, !c.has("cross_attention_norm"), "cross_attention_norm");
        require(file, !c.has("encoder_hid_dim_type") || "text_proj".equals(c.string("encoder_hid_dim_type", null)),
                "encoder_hid_dim_type " + c.string("encoder_hid_dim_type", ""));
        require(file, c.has("norm_num_groups") || !c.root().has("norm_num_groups"), "norm_num_groups null");
        String shift = c.string("resnet_time_scale_shift", "default");
        require(file, shift.equals("default") || shift.equals("scale_shift"), "resnet_time_scale_shift " + shift);
        String addition = c.string("addition_embed_type", null);
        require(file, addition == null || addition.equals("text_time"), "addition_embed_type " + addition);
        Integer additionTimeDim = c.optionalInteger("addition_time_embed_dim");
        Integer projectionDim = c.optionalInteger("projection_class_embeddings_input_dim");
        if ("text_time".equals(addition) && (additionTimeDim == null || projectionDim == null)) {
            throw new ModelLoadException(file + ": addition_embed_type text_time needs addition_time_embed_dim and "
                    + "projection_class_embeddings_input_dim");
        }

        List<Integer> layers = c.intPerBlock("layers_per_block", blocks, 2);
        List<Integer> heads = c.intPerBlock("attention_head_dim", blocks, 8);
        List<Integer> crossDims = c.intPerBlock("cross_attention_dim", blocks, 1280);
        List<Boolean> onlyCross = c.boolPerBlock("only_cross_attention", blocks, false);

        // transformer_layers_per_block: int, list of ints (one per block) or list of lists (one per resnet layer)
        List<List<Integer>> downDepth = new ArrayList<>();
        JsonNode tl = c.root().get("transformer_layers_per_block");
        for (int i = 0; i < blocks; i++) {
            downDepth.add(depths(file, tl, i, layers.get(i), "transformer_layers_per_block"));
        }
        JsonNode reverse = c.root().get("reverse_transformer_layers_per_block");
        boolean nested = tl != null && tl.isArray() && tl.size() > 0 && tl.get(0).isArray();
        if (nested && (reverse == null || reverse.isNull())) {
            throw new ModelLoadException(file + ": reverse_transformer_layers_per_block is required when "
                    + "transformer_layers_per_block is a list of lists (asymmetric UNet)");
        }
        List<List<Integer>> upDepth = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            int upLayers = layers.get(blocks - 1 - i) + 1;
            if (reverse != null && !reverse.isNull()) {
                upDepth.add(depths(file, reverse, i, upLayers, "reverse_transformer_layers_per_block"));
            } else {
                upDepth.add(Collections.nCopies(upLayers, downDepth.get(blocks - 1 - i).get(0)));
            }
        }
        int midDepth = downDepth.get(blocks - 1).get(0);

        int timeEmbedDim = c.has("time_embedding_dim") ? c.integer("time_embedding_dim", 0) : channels.get(0) * 4;
        return new UNet2dConditionConfig(
                c.optionalInteger("sample_size"),
                c.integer("in_channels", 4),
                c.integer("out_channels", 4),
                c.bool("center_input_sample", false),
                c.bool("flip_sin_to_cos", true),
                c.number("freq_shift", 0),
                down, mid, up, onlyCross, channels, layers,
                c.integer("downsample_padding", 1),
                c.number("mid_block_scale_factor", 1),
                c.string("act_fn", "silu"),
                c.integer("norm_num_groups", 32),
                c.number("norm_eps", 1e-5),
                crossDims, Collections.unmodifiableList(downDepth), Collections.unmodifiableList(upDepth), midDepth,
                heads,
                c.bool("use_linear_projection", false),
                addition, additionTimeDim, projectionDim,
                c.bool("upcast_attention", false),
                shift,
                c.bool("resnet_skip_time_act", false),
                timeEmbedDim,
                c.string("time_embedding_act_fn", null),
                c.string("timestep_post_act", null),
                c.integer("conv_in_kernel", 3),
                c.integer("conv_out_kernel", 3),
                c.optionalInteger("encoder_hid_dim"));
    }

    private static List<Integer> depths(Path file, JsonNode node, int block, int layers, String key) {
        if (node == null || node.isNull()) {
            return Collections.nCopies(layers, 1);
        }
        if (node.isNumber()) {
            return Collections.nCopies(layers, node.asInt());
        }
        if (!node.isArray() || block >= node.size()) {
            throw new ModelLoadException(file + ": '" + key + "' needs an entry for block " + block);
        }
        JsonNode entry = node.get(block);
        if (entry.isNumber()) {
            return Collections.nCopies(layers, entry.asInt());
        }
        if (!entry.isArray() || entry.size() != layers) {
            throw new ModelLoadException(file + ": '" + key + "' entry " + block + " must list " + layers + " depths");
        }
        List<Integer> out = new ArrayList<>();
        entry.forEach(n -> out.add(n.asInt()));
        return Collections.unmodifiableList(out);
    }

    private static void require(Path file, boolean supported, String what) {
        if (!supported) {
            throw new ModelLoadException(file + ": unsupported UNet2DConditionModel option: " + what);
        }
    }

    /** Number of down (and up) blocks. */
    public int blockCount() {
        return downBlockTypes.size();
    }

    /** The cross-attention (text) width of the first block, which is every block's in SD 1.x, 2.x and SDXL. */
    public int crossAttentionDim() {
        return crossAttentionDims.get(0);
    }

    /** True when the model takes SDXL's pooled text embeddings and size/crop time ids (addition_embed_type text_time). */
    public boolean usesTextTime() {
        return "text_time".equals(additionEmbedType);
    }

    /** Latent spatial reduction of the UNet's own down path: 2^(blocks - 1). */
    public int downsamplingFactor() {
        return 1 << (blockCount() - 1);
    }
}
