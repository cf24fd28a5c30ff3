package io.latentflow.denoiser.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.tensor.SafetensorsReader;
import io.latentflow.core.unet.UNet2dConditionModel;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs inside the Quarkus test application so that core's classes come from the same class loader as there. */
@QuarkusTest
class GuidedUnetTest {

    /** Stepwise UNet outputs of a float32 port agree with diffusers' to ~1e-6; 1e-4 is the agreed bound. */
    private static final float TOLERANCE = 1e-4f;

    private static NDManager manager;
    private static Map<String, NDArray> oracle;
    private static UNet2dConditionModel unet;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        oracle = SafetensorsReader.read(
                Path.of(System.getProperty("latentflow.oracle"), "pipeline_sd_tiny", "cases.safetensors"), manager);
        unet = UNet2dConditionModel.load(Path.of("..", "models", "tiny-sd", "1", "unet"), ModelOptions.defaults());
    }

    @AfterAll
    static void close() {
        unet.close();
        manager.close();
    }

    @Test
    void callsSharingOneForwardPassEachGetTheirOwnGuidedPrediction() {
        List<UnetInputs> calls = List.of(step("case0", 0, 0f), step("case0", 3, 0f), step("case1", 0, 0.7f));

        List<NDArray> predictions = GuidedUnet.predict(unet, calls);

        assertClose(oracle.get("case0.step_noise_pred").get("0"), predictions.get(0));
        assertClose(oracle.get("case0.step_noise_pred").get("3"), predictions.get(1));
        assertClose(oracle.get("case1.step_noise_pred").get("0"), predictions.get(2));
    }

    @Test
    void aCallGetsTheSamePredictionBitForBitAloneAndSharingAPassWithOtherJobs() {
        List<UnetInputs> calls = List.of(step("case0", 0, 0f), at(step("case0", 3, 0f), 965.55f),
                step("case1", 0, 0f), at(step("case1", 2, 0f), 13.7f));

        for (int n = 2; n <= calls.size(); n++) {
            List<NDArray> shared = GuidedUnet.predict(unet, calls.subList(0, n));
            for (int i = 0; i < n; i++) {
                NDArray alone = GuidedUnet.predict(unet, List.of(calls.get(i))).get(0);
                assertEquals(0f, alone.sub(shared.get(i)).abs().max().getFloat(), "call " + i + " of " + n);
            }
        }
    }

    @Test
    void unguidedCallsSharingOneForwardPassGetTheConditionalOutput() {
        List<UnetInputs> calls = List.of(unguided(step("case0", 1, 0f)), unguided(step("case0", 2, 0f)));

        List<NDArray> predictions = GuidedUnet.predict(unet, calls);

        assertClose(oracle.get("case0.step_unet_output").get("1, 1:2"), predictions.get(0));
        assertClose(oracle.get("case0.step_unet_output").get("2, 1:2"), predictions.get(1));
    }

    /** Step {@code index} of an oracle case: the text half of the UNet input, its timestep and both prompts. */
    private static UnetInputs step(String name, int index, float rescale) {
        NDArray sample = oracle.get(name + ".step_unet_sample").get(index + ", 1:2");
        NDArray timestep = oracle.get(name + ".timesteps").get(index + ":" + (index + 1)).toType(DataType.FLOAT32, false);
        return new UnetInputs(sample, timestep,
                new UnetConditioning(oracle.get(name + ".prompt_embeds"), null, null),
                new UnetConditioning(oracle.get(name + ".negative_prompt_embeds"), null, null), 7.5f, rescale);
    }

    private static UnetInputs at(UnetInputs call, float timestep) {
        return new UnetInputs(call.sample(), manager.create(new float[] {timestep}), call.cond(), call.uncond(),
                call.guidanceScale(), call.guidanceRescale());
    }

    private static UnetInputs unguided(UnetInputs call) {
        return new UnetInputs(call.sample(), call.timesteps(), call.cond(), null, 0f, 0f);
    }

    private static void assertClose(NDArray expected, NDArray actual) {
        assertEquals(expected.getShape(), actual.getShape());
        float maxAbsDiff = actual.sub(expected).abs().max().getFloat();
        assertTrue(maxAbsDiff <= TOLERANCE, "max |difference| " + maxAbsDiff + " > " + TOLERANCE);
    }
}
