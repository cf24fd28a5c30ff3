package io.latentflow.core.vae;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.core.model.ConfigJson;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AutoencoderKlConfigTest {

    private static AutoencoderKlConfig parse(String json) throws IOException {
        return AutoencoderKlConfig.parse(new ConfigJson(Path.of("vae/config.json"), new ObjectMapper().readTree(json)));
    }

    @Test
    void sdVaeConfigGivesFactorEightAndNoShift() throws IOException {
        AutoencoderKlConfig c = parse("{\"block_out_channels\": [128, 256, 512, 512], \"down_block_types\": "
                + "[\"DownEncoderBlock2D\", \"DownEncoderBlock2D\", \"DownEncoderBlock2D\", \"DownEncoderBlock2D\"],"
                + "\"up_block_types\": [\"UpDecoderBlock2D\", \"UpDecoderBlock2D\", \"UpDecoderBlock2D\","
                + "\"UpDecoderBlock2D\"], \"layers_per_block\": 2, \"shift_factor\": null}");
        assertEquals(8, c.scaleFactor());
        assertEquals(0.18215, c.scalingFactor());
        assertEquals(0.0, c.shiftFactor());
        assertEquals(4, c.latentChannels());
        assertTrue(c.useQuantConv() && c.usePostQuantConv() && c.midBlockAddAttention());
        assertNull(c.latentsMean());
    }

    @Test
    void newerKeysAreRead() throws IOException {
        AutoencoderKlConfig c = parse("{\"latent_channels\": 16, \"scaling_factor\": 1.5305, \"shift_factor\": 0.0609,"
                + "\"use_quant_conv\": false, \"use_post_quant_conv\": false, \"latents_mean\": [0.1, 0.2]}");
        assertEquals(16, c.latentChannels());
        assertEquals(0.0609, c.shiftFactor());
        assertFalse(c.useQuantConv() || c.usePostQuantConv());
        assertEquals(List.of(0.1, 0.2), c.latentsMean());
        assertEquals(1, c.scaleFactor());
    }
}
