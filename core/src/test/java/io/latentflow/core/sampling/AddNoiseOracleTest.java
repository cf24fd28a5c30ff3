package io.latentflow.core.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentflow.core.schedule.NoiseSchedule;
import io.latentflow.core.schedule.Schedule;
import io.latentflow.core.schedule.SchedulerConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** add_noise (q_sample) and get_velocity against oracle/schedulers/add_noise.safetensors, tolerance 1e-4 * max(1, max |expected|). */
class AddNoiseOracleTest {
    static final Map<String, Object> SD = Map.of(
            "num_train_timesteps", 1000, "beta_start", 0.00085, "beta_end", 0.012,
            "beta_schedule", "scaled_linear", "steps_offset", 1, "timestep_spacing", "leading",
            "clip_sample", false, "set_alpha_to_one", false);

    @Test
    void addNoiseAndVelocityMatchDiffusersPerBatchItem() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> t = OracleFiles.tensors(
                    OracleFiles.root().resolve("schedulers/add_noise.safetensors"), manager);
            NDArray x0 = t.get("x0");
            NDArray noise = t.get("noise");
            long[] train = t.get("train_timesteps").toLongArray();
            int[] timesteps = new int[train.length];
            for (int i = 0; i < train.length; i++) {
                timesteps[i] = (int) train[i];
            }
            NoiseSchedule ddpm = NoiseSchedule.of(SchedulerConfig.fromMap(SD, "DDPMScheduler"));
            check("ddpm.expected_noisy", ddpm.addNoise(x0, noise, timesteps), t);
            check("ddpm.expected_velocity", ddpm.velocity(x0, noise, timesteps), t);
            NoiseSchedule ddim = NoiseSchedule.of(SchedulerConfig.fromMap(SD, "DDIMScheduler"));
            check("ddim.expected_noisy", ddim.addNoise(x0, noise, timesteps), t);

            int[] indices = {0, 5, 12, 24};
            Sampler euler = Samplers.create("euler", SchedulerConfig.fromMap(SD, "EulerDiscreteScheduler"));
            Schedule eulerSchedule = euler.schedule(25);
            assertArrayEquals(t.get("euler_25_leading.timesteps").toFloatArray(), pick(eulerSchedule, indices));
            check("euler_25_leading.expected_noisy", euler.addNoise(x0, noise, eulerSchedule, indices), t);

            Sampler dpm = Samplers.create("dpmpp-2m", SchedulerConfig.fromMap(SD, "DPMSolverMultistepScheduler"));
            Schedule dpmSchedule = dpm.schedule(25);
            float[] expectedDpm = t.get("dpmpp_2m_25_leading.timesteps")
                    .toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
            assertArrayEquals(expectedDpm, pick(dpmSchedule, indices));
            check("dpmpp_2m_25_leading.expected_noisy", dpm.addNoise(x0, noise, dpmSchedule, indices), t);
        }
    }

    private static float[] pick(Schedule schedule, int[] indices) {
        float[] out = new float[indices.length];
        for (int i = 0; i < indices.length; i++) {
            out[i] = schedule.timestep(indices[i]);
        }
        return out;
    }

    private static void check(String name, NDArray actual, Map<String, NDArray> t) {
        NDArray expected = t.get(name);
        double err = OracleFiles.maxAbsDiff(actual, expected) / Math.max(1, OracleFiles.maxAbs(expected));
        System.out.printf("add_noise %-36s scaled max abs error %.2e%n", name, err);
        assertTrue(err <= 1e-4, name + " error " + err);
    }
}
