package io.latentflow.core.unet;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.core.model.ConfigJson;
import io.latentflow.core.model.ModelLoadException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UNet2dConditionConfigTest {

    private static UNet2dConditionConfig parse(String json) throws IOException {
        return UNet2dConditionConfig.parse(new ConfigJson(Path.of("unet/config.json"), new ObjectMapper().readTree(json)));
    }

    @Test
    void absentKeysTakeDiffusersDefaults() throws IOException {
        UNet2dConditionConfig c = parse("{}");
        assertEquals(List.of(320, 640, 1280, 1280), c.blockOutChannels());
        assertEquals(List.of("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
                c.downBlockTypes());
        assertEquals(List.of(2, 2, 2, 2), c.layersPerBlock());
        // attention_head_dim 8 is the number of heads in every block
        assertEquals(List.of(8, 8, 8, 8), c.attentionHeads());
        assertEquals(1280, c.crossAttentionDim());
        assertEquals(1280, c.timeEmbedDim());
        assertEquals(32, c.normNumGroups());
        assertEquals(1e-5, c.normEps());
        assertEquals(4, c.inChannels());
        assertTrue(c.flipSinToCos());
        assertFalse(c.usesTextTime());
        assertNull(c.sampleSize());
        assertEquals("UNetMidBlock2DCrossAttn", c.midBlockType());
        assertEquals(List.of(3, 3, 3, 3), c.upTransformerLayers().stream().map(List::size).toList());
    }

    @Test
    void sd2StyleListsArePerBlock() throws IOException {
        UNet2dConditionConfig c = parse("{\"attention_head_dim\": [5, 10, 20, 20], \"use_linear_projection\": true,"
                + "\"cross_attention_dim\": 1024, \"in_channels\": 9, \"upcast_attention\": true}");
        assertEquals(List.of(5, 10, 20, 20), c.attentionHeads());
        assertTrue(c.useLinearProjection() && c.upcastAttention());
        assertEquals(9, c.inChannels());
        assertEquals(1024, c.crossAttentionDim());
    }

    @Test
    void transformerDepthsExpandPerLayerAndReverseForTheUpPath() throws IOException {
        UNet2dConditionConfig c = parse("{\"down_block_types\": [\"DownBlock2D\", \"CrossAttnDownBlock2D\","
                + "\"CrossAttnDownBlock2D\"], \"up_block_types\": [\"CrossAttnUpBlock2D\", \"CrossAttnUpBlock2D\","
                + "\"UpBlock2D\"], \"block_out_channels\": [320, 640, 1280], \"transformer_layers_per_block\": [1, 2, 10]}");
        assertEquals(List.of(List.of(1, 1), List.of(2, 2), List.of(10, 10)), c.downTransformerLayers());
        assertEquals(List.of(List.of(10, 10, 10), List.of(2, 2, 2), List.of(1, 1, 1)), c.upTransformerLayers());
        assertEquals(10, c.midTransformerLayers());
        assertEquals(4, c.downsamplingFactor());
    }

    @Test
    void unsupportedOrInconsistentOptionsAreRefusedByName() {
        ModelLoadException heads = assertThrows(ModelLoadException.class,
                () -> parse("{\"num_attention_heads\": 8}"));
        assertTrue(heads.getMessage().contains("num_attention_heads"));
        ModelLoadException nested = assertThrows(ModelLoadException.class,
                () -> parse("{\"transformer_layers_per_block\": [[1, 1], [2, 2], [3, 3], [1, 1]]}"));
        assertTrue(nested.getMessage().contains("reverse_transformer_layers_per_block"));
        ModelLoadException addition = assertThrows(ModelLoadException.class,
                () -> parse("{\"addition_embed_type\": \"text_time\"}"));
        assertTrue(addition.getMessage().contains("addition_time_embed_dim"));
        ModelLoadException block = assertThrows(ModelLoadException.class,
                () -> parse("{\"down_block_types\": [\"AttnDownBlock2D\"], \"up_block_types\": [\"UpBlock2D\"],"
                        + "\"block_out_channels\": [32]}"));
        assertTrue(block.getMessage().contains("AttnDownBlock2D"));
        assertThrows(ModelLoadException.class, () -> parse("{\"class_embed_type\": \"timestep\"}"));
    }
}
