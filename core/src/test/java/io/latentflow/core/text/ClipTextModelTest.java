package io.latentflow.core.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.tensor.SafetensorsReader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipTextModelTest {

    /** float32 port of a float32 reference: the oracle README's bound for O(1) outputs. */
    private static final double TOLERANCE = 1e-4;

    @ParameterizedTest(name = "{0} case{1}")
    @CsvSource({
        "clip_text_tiny, 0", "clip_text_tiny, 1", "clip_text_tiny, 2",
        "clip_text_proj_tiny, 0", "clip_text_proj_tiny, 1", "clip_text_proj_tiny, 2"})
    void reproducesEveryOracleTensor(String oracle, int caseIndex) {
        Path dir = Oracle.dir(oracle);
        try (ClipTextModel model = ClipTextModel.load(dir, ModelOptions.defaults());
             NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> cases = SafetensorsReader.read(dir.resolve("cases.safetensors"), manager);
            String p = "case" + caseIndex + ".";
            ClipTextOutput out = model.forward(cases.get(p + "input_ids"));
            StringBuilder errors = new StringBuilder(oracle + " case" + caseIndex + " max abs error:");
            double worst = 0;
            worst = Math.max(worst, check(errors, "last_hidden_state", cases.get(p + "expected_last_hidden_state"),
                    out.lastHiddenState()));
            worst = Math.max(worst, check(errors, "pooled", cases.get(p + "expected_pooled"), out.pooled()));
            int layers = model.config().numHiddenLayers();
            assertEquals(layers + 1, out.hiddenStates().size());
            for (int i = 0; i <= layers; i++) {
                worst = Math.max(worst, check(errors, "hidden_states_" + i, cases.get(p + "expected_hidden_states_" + i),
                        out.hiddenStates().get(i)));
            }
            if (model.config().withProjection()) {
                worst = Math.max(worst, check(errors, "text_embeds", cases.get(p + "expected_text_embeds"),
                        out.textEmbeds()));
            } else {
                assertNull(out.textEmbeds());
            }
            System.out.println(errors);
            assertTrue(worst <= TOLERANCE, errors.toString());
        }
    }

    @Test
    void configSelectsArchitectureActivationAndPoolingRule() {
        try (ClipTextModel plain = ClipTextModel.load(Oracle.dir("clip_text_tiny"), ModelOptions.defaults());
             ClipTextModel projected = ClipTextModel.load(Oracle.dir("clip_text_proj_tiny"), ModelOptions.defaults())) {
            assertEquals("quick_gelu", plain.config().hiddenAct());
            assertTrue(plain.config().legacyPooling());
            assertEquals(false, plain.config().withProjection());
            assertEquals("gelu", projected.config().hiddenAct());
            assertEquals(false, projected.config().legacyPooling());
            assertTrue(projected.config().withProjection());
            assertEquals(24, projected.config().projectionDim());
        }
    }

    @Test
    void firstEndOfTextIsPooledUnlessTheConfigIsLegacy() {
        try (ClipTextModel projected = ClipTextModel.load(Oracle.dir("clip_text_proj_tiny"), ModelOptions.defaults());
             ClipTextModel plain = ClipTextModel.load(Oracle.dir("clip_text_tiny"), ModelOptions.defaults());
             NDManager manager = NDManager.newBaseManager()) {
            // eos_token_id 999: the first 999 (position 2), not the largest id (position 4)
            NDArray twoEnds = manager.create(new long[] {998, 5, 999, 7, 999, 12}, new Shape(1, 6));
            ClipTextOutput firstEos = projected.forward(twoEnds);
            assertEquals(0.0, maxAbsDiff(firstEos.lastHiddenState().get(0, 2), firstEos.pooled().get(0)), 0.0);
            // no 999 at all: position 0, as torch's argmax over an all-false comparison
            NDArray noEnd = manager.create(new long[] {5, 998, 7}, new Shape(1, 3));
            ClipTextOutput missing = projected.forward(noEnd);
            assertEquals(0.0, maxAbsDiff(missing.lastHiddenState().get(0, 0), missing.pooled().get(0)), 0.0);
            // legacy eos_token_id 2: the position of the largest id (998 at 1)
            ClipTextOutput legacy = plain.forward(noEnd);
            assertEquals(0.0, maxAbsDiff(legacy.lastHiddenState().get(0, 1), legacy.pooled().get(0)), 0.0);
        }
    }

    @Test
    void forwardLeavesNoArraysBehind() {
        try (ClipTextModel model = ClipTextModel.load(Oracle.dir("clip_text_proj_tiny"), ModelOptions.defaults());
             NDManager caller = NDManager.newBaseManager()) {
            NDArray ids = caller.create(new long[] {998, 5, 7, 999}, new Shape(1, 4));
            int resident = model.residentArrayCount();
            for (int i = 0; i < 20; i++) {
                ClipTextOutput out = model.forward(ids);
                out.lastHiddenState().close();
                out.pooled().close();
                out.textEmbeds().close();
                out.hiddenStates().forEach(NDArray::close);
            }
            assertEquals(resident, model.residentArrayCount());
            assertEquals(1, caller.getManagedArrays().size());
        }
    }

    @Test
    void float16ModelFollowsTheFloat32Model() {
        Path dir = Oracle.dir("clip_text_proj_tiny");
        try (ClipTextModel half = ClipTextModel.load(dir, ModelOptions.of("cpu", "float16"));
             NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> cases = SafetensorsReader.read(dir.resolve("cases.safetensors"), manager);
            ClipTextOutput out = half.forward(cases.get("case0.input_ids"));
            assertEquals(DataType.FLOAT16, out.lastHiddenState().getDataType());
            NDArray expected = cases.get("case0.expected_last_hidden_state");
            double error = maxAbsDiff(expected, out.lastHiddenState().toType(DataType.FLOAT32, false));
            System.out.println("clip_text_proj_tiny case0 float16 last_hidden_state max abs error: " + error);
            // half precision keeps about 3 decimal digits of O(1) values through 3 layers
            assertTrue(error < 2e-2, "float16 error " + error);
            assertNotNull(out.textEmbeds());
        }
    }

    private static double check(StringBuilder errors, String name, NDArray expected, NDArray actual) {
        assertEquals(expected.getShape(), actual.getShape(), name);
        double error = maxAbsDiff(expected, actual);
        errors.append(' ').append(name).append('=').append(String.format("%.2e", error));
        return error;
    }

    static double maxAbsDiff(NDArray a, NDArray b) {
        return a.toType(DataType.FLOAT64, false).sub(b.toType(DataType.FLOAT64, false)).abs().max().getDouble();
    }
}
