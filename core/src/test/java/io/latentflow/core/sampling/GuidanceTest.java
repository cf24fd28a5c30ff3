package io.latentflow.core.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Classifier-free guidance and guidance rescale against hand-computed values and the pipeline oracle (1e-5). */
class GuidanceTest {

    @Test
    void guidanceWithoutRescaleIsLinearExtrapolation() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray uncond = manager.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
            NDArray cond = manager.create(new float[] {2, 2, 1, 4}, new Shape(1, 1, 2, 2));
            // 1 + 3 (2 - 1) = 4, 2, 3 + 3 (1 - 3) = -3, 4
            assertArrayEquals(new float[] {4, 2, -3, 4}, Guidance.combine(uncond, cond, 3f, 0f).toFloatArray(), 1e-6f);
        }
    }

    @Test
    void rescaleUsesUnbiasedStandardDeviation() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray uncond = manager.create(new float[] {0, 0, 0, 0}, new Shape(1, 1, 2, 2));
            NDArray cond = manager.create(new float[] {1, -1, 1, -1}, new Shape(1, 1, 2, 2));
            // guided = 2 cond; std(cond) / std(guided) = 1/2, so r = 1 gives back cond exactly
            assertArrayEquals(cond.toFloatArray(), Guidance.combine(uncond, cond, 2f, 1f).toFloatArray(), 1e-6f);
            // unbiased std of (1, -1, 1, -1) is sqrt(4 / 3)
            assertArrayEquals(new float[] {(float) Math.sqrt(4.0 / 3)}, Guidance.unbiasedStd(cond).toFloatArray(), 1e-6f);
        }
    }

    @Test
    void matchesPipelineOracleNoisePredictions() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> t = OracleFiles.tensors(
                    OracleFiles.root().resolve("pipeline_sd_tiny/cases.safetensors"), manager);
            double worst = 0;
            for (String c : new String[] {"case0", "case1"}) {
                float rescale = c.equals("case1") ? 0.7f : 0f;
                NDArray outputs = t.get(c + ".step_unet_output");
                NDArray expected = t.get(c + ".step_noise_pred");
                for (int i = 0; i < outputs.getShape().get(0); i++) {
                    NDArray pair = outputs.get(i);
                    NDArray guided = Guidance.combine(pair.get("0:1"), pair.get("1:2"), 7.5f, rescale);
                    worst = Math.max(worst, OracleFiles.maxAbsDiff(guided, expected.get(i)));
                }
            }
            System.out.printf("guidance max abs error vs pipeline oracle %.2e%n", worst);
            assertTrue(worst <= 1e-5, "guidance error " + worst);
        }
    }
}
