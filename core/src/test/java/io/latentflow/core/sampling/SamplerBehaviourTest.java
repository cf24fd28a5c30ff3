package io.latentflow.core.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.schedule.Schedule;
import io.latentflow.core.schedule.SchedulerConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Seeds, batching, statelessness, cancellation and option validation of the samplers. */
class SamplerBehaviourTest {
    static final SchedulerConfig SD = SchedulerConfig.fromMap(Map.of(
            "num_train_timesteps", 1000, "beta_start", 0.00085, "beta_end", 0.012,
            "beta_schedule", "scaled_linear", "steps_offset", 1, "clip_sample", false,
            "set_alpha_to_one", false), "DDIMScheduler");

    /** A per-item model: each batch item's output depends only on that item. */
    static final Denoiser MODEL = (x, t) -> x.mul(0.1f).add(x.sin().mul((float) Math.cos(t / 300.0)));

    static NDArray run(Sampler sampler, NDManager manager, long... seeds) {
        NoiseSource noise = NoiseSource.seeded(seeds);
        Schedule schedule = sampler.schedule(12);
        NDArray start = noise.next(new Shape(seeds.length, 4, 8, 8), manager).mul(schedule.initNoiseSigma());
        return sampler.sample(MODEL, start, schedule, noise, StepListener.NONE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ddim", "ddpm", "euler", "euler-a", "dpmpp-2m"})
    void aSeedGivesTheSameImageAloneAndInsideABatch(String name) {
        Sampler sampler = Samplers.create(name, SD, new SamplerOptions(name.equals("ddim") ? 0.7 : 0, null));
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray alone = run(sampler, manager, 42);
            NDArray batch = run(sampler, manager, 7, 42, 1234, 99);
            double diff = OracleFiles.maxAbsDiff(alone.get(0), batch.get(1));
            assertTrue(diff <= 1e-4, name + " alone vs batch differ by " + diff);
            NDArray again = run(sampler, manager, 42);
            assertEquals(0, OracleFiles.maxAbsDiff(alone, again), name + " is not stateless between runs");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ddim", "ddpm", "euler", "euler-a", "dpmpp-2m"})
    void aRunLeavesOnlyItsResultInTheCallersManager(String name) {
        Sampler sampler = Samplers.create(name, SD, new SamplerOptions(name.equals("ddim") ? 0.5 : 0, null));
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray start = manager.randomNormal(new Shape(2, 4, 8, 8));
            int before = manager.getManagedArrays().size();
            NDArray result = sampler.sample(MODEL, start, sampler.schedule(8), NoiseSource.seeded(1, 2),
                    StepListener.NONE);
            assertEquals(before + 1, manager.getManagedArrays().size());
            assertEquals(manager, result.getManager());
        }
    }

    @Test
    void dynamicThresholdingClampsToThePerImageQuantile() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x0 = manager.create(new float[] {0.5f, 2, 4, -5, 0.1f, 0.2f, -0.3f, 0.4f}, new Shape(2, 1, 2, 2));
            // image 0: |x| sorted (0.5, 2, 4, 5), quantile 0.5 at rank 1.5 = 3 -> clamp to [-3, 3] / 3
            // image 1: quantile 0.25 < 1 -> s = 1, plain clipping
            NDArray out = DynamicThresholding.threshold(x0, 0.5, 3.0);
            org.junit.jupiter.api.Assertions.assertArrayEquals(
                    new float[] {0.5f / 3, 2f / 3, 1, -1, 0.1f, 0.2f, -0.3f, 0.4f}, out.toFloatArray(), 1e-6f);
        }
    }

    @Test
    void cancellationStopsBetweenSteps() {
        Sampler sampler = Samplers.create("euler", SD);
        try (NDManager manager = NDManager.newBaseManager()) {
            Schedule schedule = sampler.schedule(10);
            AtomicInteger steps = new AtomicInteger();
            NDArray start = manager.randomNormal(new Shape(1, 4, 8, 8));
            StepListener listener = (i, total, t, latents, x0) -> steps.incrementAndGet();
            assertThrows(CancellationException.class, () -> sampler.sample(MODEL, start, schedule,
                    NoiseSource.seeded(1), listener, () -> steps.get() >= 3));
            assertEquals(3, steps.get());
        }
    }

    @Test
    void listenerSeesEveryStepOfTheWindow() {
        Sampler sampler = Samplers.create("ddim", SD);
        try (NDManager manager = NDManager.newBaseManager()) {
            Schedule schedule = sampler.schedule(10).forStrength(0.6);
            assertEquals(6, schedule.steps());
            assertEquals(501f, schedule.timestep(schedule.beginIndex()));
            AtomicInteger seen = new AtomicInteger();
            sampler.sample(MODEL, manager.zeros(new Shape(1, 4, 8, 8)), schedule, NoiseSource.seeded(1),
                    (i, total, t, latents, x0) -> {
                        assertEquals(seen.getAndIncrement(), i);
                        assertEquals(6, total);
                    });
            assertEquals(6, seen.get());
        }
    }

    @Test
    void invalidOptionsFailNamingTheOptionAndAllowedValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Samplers.create("plms", SD));
        assertTrue(e.getMessage().contains("plms") && e.getMessage().contains("dpmpp-2m"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Samplers.create("ddim", SD).schedule(0));
        assertTrue(e.getMessage().contains("steps"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Samplers.create("ddim", SD).schedule(10).forStrength(0));
        assertTrue(e.getMessage().contains("strength") && e.getMessage().contains("(0, 1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Samplers.create("ddim", SD).schedule(10).until(1.0));
        assertTrue(e.getMessage().contains("denoising_end") && e.getMessage().contains("(0, 1)"), e.getMessage());
        SchedulerConfig sample = SD.with(Map.of("prediction_type", "sample"));
        e = assertThrows(IllegalArgumentException.class, () -> Samplers.create("euler-a", sample));
        assertTrue(e.getMessage().contains("prediction_type") && e.getMessage().contains("epsilon"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SamplerOptions(-1, null));
        assertTrue(e.getMessage().contains("eta"), e.getMessage());
    }

    @Test
    void baseAndRefinerSplitTheScheduleAtTheSameTimestep() {
        Schedule full = Samplers.create("euler", SD).schedule(40);
        Schedule base = full.until(0.8);
        Schedule refiner = full.from(0.8);
        assertEquals(full.timesteps().length, base.steps() + refiner.steps());
        assertEquals(base.endIndex(), refiner.beginIndex());
        assertTrue(full.timestep(base.endIndex() - 1) >= 200 && full.timestep(refiner.beginIndex()) < 200);
    }
}
