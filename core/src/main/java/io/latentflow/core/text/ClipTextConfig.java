package io.latentflow.core.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.core.model.ModelLoadException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The fields of a transformers {@code CLIPTextConfig} that shape the text encoder, with transformers' defaults for
 * absent keys, plus whether the checkpoint is a {@code CLIPTextModelWithProjection}.
 *
 * @param eosTokenId         id whose first occurrence is pooled; 2 selects the legacy rule (pool at the largest id)
 * @param projectionDim      width of text_embeds (only with projection)
 * @param withProjection     architectures names CLIPTextModelWithProjection
 */
public record ClipTextConfig(int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers,
        int numAttentionHeads, int maxPositionEmbeddings, String hiddenAct, double layerNormEps, long eosTokenId,
        int projectionDim, boolean withProjection) {

    /** eos_token_id of the original CLIP configs, which pooled at argmax(input_ids) instead of the first EOS. */
    public static final long LEGACY_EOS_TOKEN_ID = 2;
    /** transformers' default eos_token_id (CLIP's {@code <|endoftext|>}). */
    public static final long DEFAULT_EOS_TOKEN_ID = 49407;
    private static final Set<String> ACTIVATIONS = Set.of("quick_gelu", "gelu", "gelu_new", "gelu_pytorch_tanh");

    public ClipTextConfig {
        require(hiddenSize > 0 && numAttentionHeads > 0 && hiddenSize % numAttentionHeads == 0,
                "hidden_size " + hiddenSize + " must be a positive multiple of num_attention_heads " + numAttentionHeads);
        require(numHiddenLayers > 0, "num_hidden_layers must be > 0");
        require(vocabSize > 0 && intermediateSize > 0 && maxPositionEmbeddings > 0,
                "vocab_size, intermediate_size and max_position_embeddings must be > 0");
        require(ACTIVATIONS.contains(hiddenAct), "hidden_act '" + hiddenAct + "' is not supported");
    }

    /** True when pooling uses argmax(input_ids) (configs with eos_token_id == 2), false for the first EOS. */
    public boolean legacyPooling() {
        return eosTokenId == LEGACY_EOS_TOKEN_ID;
    }

    /** Reads {@code config.json} of a text encoder folder (a nested {@code text_config} is used when present). */
    public static ClipTextConfig read(Path configFile) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(configFile));
        } catch (IOException e) {
            throw new ModelLoadException(configFile + ": cannot read text encoder config: " + e.getMessage(), e);
        }
        JsonNode architectures = root.path("architectures");
        JsonNode c = root.has("text_config") ? root.get("text_config") : root;
        boolean withProjection = false;
        for (JsonNode a : architectures) {
            withProjection |= a.asText().equals("CLIPTextModelWithProjection");
        }
        try {
            return new ClipTextConfig(
                    c.path("vocab_size").asInt(49408),
                    c.path("hidden_size").asInt(512),
                    c.path("intermediate_size").asInt(2048),
                    c.path("num_hidden_layers").asInt(12),
                    c.path("num_attention_heads").asInt(8),
                    c.path("max_position_embeddings").asInt(77),
                    c.path("hidden_act").asText("quick_gelu"),
                    c.path("layer_norm_eps").asDouble(1e-5),
                    c.path("eos_token_id").asLong(DEFAULT_EOS_TOKEN_ID),
                    c.path("projection_dim").asInt(512),
                    withProjection);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(configFile + ": " + e.getMessage(), e);
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
