package io.latentflow.core.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentflow.core.OracleCases;
import io.latentflow.core.model.ModelOptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** UNet outputs against diffusers 0.27.2 float32 reference outputs; tolerance 1e-4 absolute (outputs are O(1)). */
class UNet2dConditionModelTest {

    private static final float TOLERANCE = 1e-4f;

    @Test
    void sd15LikeUnetReproducesEveryOracleCase() {
        assertOracle("unet_sd_tiny", false);
    }

    @Test
    void sdxlLikeUnetWithTextTimeConditioningReproducesEveryOracleCase() {
        assertOracle("unet_sdxl_tiny", true);
    }

    @Test
    void spatialSizesNotDivisibleByTheDownsamplingFactorKeepTheirShape() {
        try (NDManager manager = NDManager.newBaseManager();
             UNet2dConditionModel unet = UNet2dConditionModel.load(OracleCases.dir("unet_sdxl_tiny"),
                     ModelOptions.defaults())) {
            NDArray sample = manager.randomNormal(new ai.djl.ndarray.types.Shape(1, 4, 7, 10));
            NDArray out = unet.forward(sample, manager.create(new float[] {10.5f}),
                    manager.randomNormal(new ai.djl.ndarray.types.Shape(1, 3, 48)),
                    manager.randomNormal(new ai.djl.ndarray.types.Shape(1, 32)),
                    manager.create(new float[] {56, 80, 0, 0, 56, 80}, new ai.djl.ndarray.types.Shape(1, 6)));
            assertEquals(sample.getShape(), out.getShape());
            assertTrue(Float.isFinite(out.abs().max().getFloat()));
        }
    }

    private static void assertOracle(String name, boolean textTime) {
        Path dir = OracleCases.dir(name);
        try (NDManager manager = NDManager.newBaseManager();
             UNet2dConditionModel unet = UNet2dConditionModel.load(dir, ModelOptions.defaults())) {
            assertEquals(textTime, unet.config().usesTextTime());
            assertTrue(unet.loadReport().unexpected().isEmpty(), unet.loadReport().unexpected().toString());
            OracleCases cases = OracleCases.read(name, manager);
            assertEquals(3, cases.indices().size());
            for (int i : cases.indices()) {
                NDArray out = unet.forward(cases.get(i, "sample"), cases.get(i, "timestep"),
                        cases.get(i, "encoder_hidden_states"), cases.get(i, "text_embeds"), cases.get(i, "time_ids"));
                float err = OracleCases.maxAbsError(out, cases.get(i, "expected_out"));
                System.out.printf("%s case%d max abs error %.3g%n", name, i, err);
                assertTrue(err <= TOLERANCE, name + " case" + i + ": max abs error " + err);
            }
        }
    }
}
