package io.latentflow.core.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.latentflow.core.schedule.Schedule;
import io.latentflow.core.schedule.SchedulerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every trajectory of oracle/schedulers: timesteps and sigmas (relative error <= 1e-5), model inputs, prev_sample and
 * pred_original_sample at every step (max abs error <= 1e-4 * max(1, max |expected|)), using the oracle's synthetic
 * model function model(x, t) = 0.1 x + sin(t / 100) c and its recorded noise.
 */
class SchedulerOracleTest {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    private static final Map<String, double[]> ERRORS = new ConcurrentHashMap<>();

    static Stream<Map<String, Object>> cases() throws IOException {
        Map<String, Object> index = JSON.readValue(
                OracleFiles.root().resolve("schedulers/index.json").toFile(), new TypeReference<>() { });
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> cases = (List<Map<String, Object>>) index.get("cases");
        return cases.stream();
    }

    static String samplerName(String schedulerClass) {
        return switch (schedulerClass) {
            case "DDIMScheduler" -> "ddim";
            case "DDPMScheduler" -> "ddpm";
            case "EulerDiscreteScheduler" -> "euler";
            case "EulerAncestralDiscreteScheduler" -> "euler-a";
            case "DPMSolverMultistepScheduler" -> "dpmpp-2m";
            default -> throw new IllegalArgumentException(schedulerClass);
        };
    }

    @ParameterizedTest(name = "{index} {0}")
    @MethodSource("cases")
    @SuppressWarnings("unchecked")
    void trajectoryMatchesDiffusers(Map<String, Object> c) throws IOException {
        String name = (String) c.get("name");
        String cls = (String) c.get("scheduler_class");
        SchedulerConfig config = SchedulerConfig.fromMap((Map<String, Object>) c.get("scheduler_config"), cls);
        Map<String, Object> stepKwargs = (Map<String, Object>) c.get("step_kwargs");
        double eta = stepKwargs.containsKey("eta") ? ((Number) stepKwargs.get("eta")).doubleValue() : 0;
        Sampler sampler = Samplers.create(samplerName(cls), config, new SamplerOptions(eta, null));
        int steps = ((Number) c.get("num_inference_steps")).intValue();
        Path file = OracleFiles.root().resolve("schedulers").resolve((String) c.get("file"));
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> t = OracleFiles.tensors(file, manager);
            Schedule schedule = sampler.schedule(steps);
            double[] err = new double[6];

            // 1. schedule: betas, alphas_cumprod, timesteps, sigmas, init_noise_sigma
            err[0] = Math.max(relErr(schedule.noise().alphasCumprod(), t.get("alphas_cumprod").toFloatArray()),
                    relErr(schedule.noise().betas(), t.get("betas").toFloatArray()));
            float[] expectedTimesteps = t.get("timesteps").toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                    .toFloatArray();
            err[1] = relErr(schedule.timesteps(), expectedTimesteps);
            if (t.containsKey("sigmas")) {
                err[1] = Math.max(err[1], relErr(schedule.sigmas(), t.get("sigmas").toFloatArray()));
            }
            err[1] = Math.max(err[1], relErr(new float[] {schedule.initNoiseSigma()},
                    t.get("init_noise_sigma").toFloatArray()));
            assertTrue(err[0] <= 1e-5, name + " betas/alphas_cumprod relative error " + err[0]);
            assertTrue(err[1] <= 1e-5, name + " timesteps/sigmas relative error " + err[1]);
            if (t.containsKey("final_alpha_cumprod")) {
                assertEquals(t.get("final_alpha_cumprod").toFloatArray()[0], schedule.noise().finalAlphaCumprod(), 1e-7);
            }

            // 2. the loop with the synthetic model and recorded noise
            NDArray initial = t.get("x_T_noise").mul(schedule.initNoiseSigma());
            err[2] = OracleFiles.maxAbsDiff(initial, t.get("initial_sample"));
            NDArray cTensor = t.get("c");
            NDArray modelInputs = t.get("model_input");
            List<NDArray> draws = new ArrayList<>();
            if (t.containsKey("step_noise")) {
                float[] used = t.get("step_noise_used").toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                        .toFloatArray();
                for (int i = 0; i < used.length; i++) {
                    if (used[i] > 0) {
                        draws.add(t.get("step_noise").get(i));
                    }
                }
            }
            RecordedNoise noise = new RecordedNoise(draws);
            int[] step = {0};
            Denoiser model = (x, timestep) -> {
                NDArray expectedInput = modelInputs.get(step[0]);
                err[2] = Math.max(err[2], OracleFiles.maxAbsDiff(x, expectedInput)
                        / Math.max(1, OracleFiles.maxAbs(expectedInput)));
                return x.mul(0.1f).add(cTensor.mul((float) Math.sin(timestep / 100.0)));
            };
            NDArray prev = t.get("prev_sample");
            NDArray pred = t.get("pred_original_sample");
            StepListener listener = (index, total, timestep, latents, predOriginalSample) -> {
                NDArray expected = prev.get(index);
                err[3] = Math.max(err[3], OracleFiles.maxAbsDiff(latents, expected)
                        / Math.max(1, OracleFiles.maxAbs(expected)));
                if (pred != null) {
                    NDArray expectedX0 = pred.get(index);
                    err[4] = Math.max(err[4], OracleFiles.maxAbsDiff(predOriginalSample, expectedX0)
                            / Math.max(1, OracleFiles.maxAbs(expectedX0)));
                }
                step[0]++;
            };
            NDArray result = sampler.sample(model, initial, schedule, noise, listener);
            NDArray expectedFinal = t.get("final_sample");
            err[5] = OracleFiles.maxAbsDiff(result, expectedFinal) / Math.max(1, OracleFiles.maxAbs(expectedFinal));
            assertEquals(steps, step[0]);
            assertEquals(draws.size(), noise.draws(), name + " noise draws");
            ERRORS.put(name, err);
            assertTrue(err[2] <= 1e-4, name + " model input error " + err[2]);
            assertTrue(err[3] <= 1e-4, name + " prev_sample error " + err[3]);
            assertTrue(err[4] <= 1e-4, name + " pred_original_sample error " + err[4]);
            assertTrue(err[5] <= 1e-4, name + " final sample error " + err[5]);
        }
    }

    @AfterAll
    static void printFigures() {
        Map<String, double[]> byFamily = new TreeMap<>();
        ERRORS.forEach((name, e) -> {
            String family = name.replaceAll("_(10|25)_(leading|trailing|linspace)$", "");
            byFamily.merge(family, e.clone(), (a, b) -> {
                for (int i = 0; i < a.length; i++) {
                    a[i] = Math.max(a[i], b[i]);
                }
                return a;
            });
        });
        System.out.println("scheduler oracle max errors per family: schedule(rel) timesteps/sigmas(rel) "
                + "model_input prev_sample pred_original_sample final (scaled abs)");
        byFamily.forEach((family, e) -> System.out.printf("  %-26s %.2e %.2e %.2e %.2e %.2e %.2e%n",
                family, e[0], e[1], e[2], e[3], e[4], e[5]));
    }

    static double relErr(float[] actual, float[] expected) {
        assertEquals(expected.length, actual.length, "length");
        double m = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs((double) actual[i] - expected[i]);
            m = Math.max(m, expected[i] == 0 ? d : d / Math.abs(expected[i]));
        }
        return m;
    }
}
