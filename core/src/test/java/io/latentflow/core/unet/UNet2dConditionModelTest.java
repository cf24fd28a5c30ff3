package io.latentflow.core.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentflow.core.OracleCases;
import io.latentflow.core.model.ModelOptions;
import ai.djl.ndarray.types.Shape;
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

    /**
     * The denoiser runs the calls of several jobs as one batch: a job's guidance pair must get the same prediction,
     * bit for bit, alone and batched with other jobs' pairs, or an image would depend on the load it ran under.
     */
    @Test
    void aSampleOrGuidancePairGetsTheSamePredictionAloneAndBatchedWithOtherJobs() {
        for (String name : new String[] {"unet_sd_tiny", "unet_sdxl_tiny"}) {
            try (NDManager manager = NDManager.newBaseManager();
                 UNet2dConditionModel unet = UNet2dConditionModel.load(OracleCases.dir(name),
                         ModelOptions.defaults())) {
                UNet2dConditionConfig c = unet.config();
                int size = c.sampleSize();
                long context = c.encoderHidDim() != null ? c.encoderHidDim() : c.crossAttentionDim();
                manager.getEngine().setRandomSeed(5);
                NDArray sample = manager.randomNormal(new Shape(8, c.inChannels(), size, size));
                NDArray timesteps = manager.create(new float[] {901, 901, 501, 501, 41, 41, 1, 1});
                NDArray hidden = manager.randomNormal(new Shape(8, 7, context));
                NDArray textEmbeds = null;
                NDArray timeIds = null;
                if (c.usesTextTime()) {
                    textEmbeds = manager.randomNormal(new Shape(8, 32));
                    timeIds = manager.create(new float[] {64, 64, 0, 0, 64, 64}).tile(8).reshape(8, 6);
                }
                NDArray batched = unet.forward(sample, timesteps, hidden, textEmbeds, timeIds);
                for (int first = 0; first < 8; first += 2) {
                    // an unguided call is one sample, a guided one a pair; a single SDXL-conditioned sample still
                    // comes out about 1e-6 away from the same sample in a batch (a known gap, see the README)
                    String one = first + ":" + (first + 1);
                    NDArray single = unet.forward(sample.get(one), timesteps.get(one), hidden.get(one),
                            textEmbeds == null ? null : textEmbeds.get(one), timeIds == null ? null : timeIds.get(one));
                    float singleError = single.sub(batched.get(one)).abs().max().getFloat();
                    assertTrue(singleError <= (c.usesTextTime() ? 1e-5f : 0f),
                            name + " sample " + one + ": " + singleError);
                    String pair = first + ":" + (first + 2);
                    NDArray alone = unet.forward(sample.get(pair), timesteps.get(pair), hidden.get(pair),
                            textEmbeds == null ? null : textEmbeds.get(pair), timeIds == null ? null : timeIds.get(pair));
                    assertEquals(0f, alone.sub(batched.get(pair)).abs().max().getFloat(), name + " pair " + pair);
                }
            }
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
