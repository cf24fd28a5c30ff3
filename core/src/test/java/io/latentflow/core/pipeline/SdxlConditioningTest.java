package io.latentflow.core.pipeline;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.sampling.OracleFiles;
import io.latentflow.core.unet.UNet2dConditionConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SDXL size/crop/aesthetic time ids and their agreement with the UNet's added-embedding width. */
class SdxlConditioningTest {

    @Test
    void baseAndRefinerTimeIds() {
        assertArrayEquals(new float[] {1024, 768, 0, 16, 1024, 1024},
                SdxlConditioning.timeIds(new int[] {1024, 768}, new int[] {0, 16}, new int[] {1024, 1024}, false, 6));
        assertArrayEquals(new float[] {1024, 768, 0, 0, 2.5f},
                SdxlConditioning.timeIds(new int[] {1024, 768}, new int[] {0, 0}, null, true, 2.5));
    }

    @Test
    void timeIdCountMustMatchTheUnetProjectionWidth() {
        UNet2dConditionConfig config = UNet2dConditionConfig.load(
                OracleFiles.root().resolve("unet_sdxl_tiny/config.json"));
        try (NDManager manager = NDManager.newBaseManager()) {
            // 8 * 6 + 32 = 80 = projection_class_embeddings_input_dim
            SdxlConditioning.check(config, 6, manager.zeros(new Shape(1, 32)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SdxlConditioning.check(config, 5, manager.zeros(new Shape(1, 32))));
            assertTrue(e.getMessage().contains("requires_aesthetics_score"), e.getMessage());
        }
    }
}
