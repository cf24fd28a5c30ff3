package io.latentflow.core.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.sampling.Cancellation;
import io.latentflow.core.sampling.OracleFiles;
import io.latentflow.core.sampling.SamplerMemory;
import io.latentflow.core.sampling.SamplerOptions;
import io.latentflow.core.sampling.StepListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run resumed from the latents recorded after one of its steps continues with the remaining steps, numbered as in
 * the uninterrupted run, and ends with the same latents (a deterministic sampler), alone or across two experts.
 */
class ResumeTest {

    private static final int STEPS = 6;
    private static NDManager manager;
    private static LatentDiffusionPipeline pipeline;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        pipeline = LatentDiffusionPipeline.load(OracleFiles.root().resolve("pipeline_sd_tiny"),
                ModelOptions.defaults());
    }

    @AfterAll
    static void close() {
        pipeline.close();
        manager.close();
    }

    private static GenerationRequest.Builder request() {
        return GenerationRequest.builder("a red circle").steps(STEPS).seeds(5).sampler("ddim").decode(false);
    }

    /** A listener keeping a copy of the latents after each step, by 1-based step. */
    private static StepListener recorder(Map<Integer, NDArray> recorded) {
        return (i, total, t, latents, x0) -> {
            NDArray copy = latents.duplicate();
            copy.attach(manager);
            recorded.put(i + 1, copy);
        };
    }

    @Test
    void aResumedRunEndsWithTheUninterruptedRunsLatents() {
        Map<Integer, NDArray> recorded = new HashMap<>();
        StepListener record = recorder(recorded);
        NDArray full = pipeline.generate(request().build(), manager, record, Cancellation.NONE).latents();
        for (int done : new int[] {1, 4, STEPS}) {
            List<Integer> indices = new ArrayList<>();
            NDArray resumed = pipeline.generate(request().resume(done, recorded.get(done)).build(), manager,
                    (i, total, t, latents, x0) -> {
                        assertEquals(STEPS, total);
                        indices.add(i);
                    }, Cancellation.NONE).latents();
            assertEquals(STEPS - done, indices.size());
            if (!indices.isEmpty()) {
                assertEquals(done, indices.get(0), "the first step after the resume keeps its number");
            }
            double d = OracleFiles.maxAbsDiff(full, resumed);
            assertTrue(d <= 1e-6, "resumed after step " + done + ": off by " + d);
        }
        assertThrows(IllegalArgumentException.class, () -> pipeline.generate(
                request().resume(STEPS + 1, recorded.get(STEPS)).build(), manager));
    }

    /** A listener keeping copies of the latents and the sampler's memory after each step, by 1-based step. */
    private static StepListener memoryRecorder(Map<Integer, NDArray> latents, Map<Integer, SamplerMemory> memories) {
        return new StepListener() {
            @Override
            public void onStep(int i, int total, float t, NDArray x, NDArray x0) {
                NDArray copy = x.duplicate();
                copy.attach(manager);
                latents.put(i + 1, copy);
            }

            @Override
            public void onMemory(int i, SamplerMemory memory) {
                NDArray history = null;
                if (memory.history() != null) {
                    history = memory.history().duplicate();
                    history.attach(manager);
                }
                memories.put(i + 1, new SamplerMemory(history, memory.historySteps(), memory.noiseDraws()));
            }
        };
    }

    /**
     * Ancestral and multistep samplers resume exactly from the latents and the sampler's memory: DDPM, DDIM with
     * eta, Euler a (fresh noise every step) and DPM-Solver++ 2M (the last data prediction), alone and across experts.
     */
    @Test
    void everySamplerResumesExactlyWithItsMemory() {
        ExpertEnsemble ensemble = new ExpertEnsemble(pipeline, pipeline);
        for (String sampler : new String[] {"ddpm", "ddim-eta", "euler-a", "dpmpp-2m"}) {
            GenerationRequest.Builder request = sampler.equals("ddim-eta")
                    ? request().samplerOptions(new SamplerOptions(0.5, null))
                    : request().sampler(sampler);
            Map<Integer, NDArray> latents = new HashMap<>();
            Map<Integer, SamplerMemory> memories = new HashMap<>();
            NDArray full = pipeline.generate(request.build(), manager, memoryRecorder(latents, memories),
                    Cancellation.NONE).latents();
            for (int done : new int[] {1, 3, 5}) {
                NDArray resumed = pipeline.generate(request.resume(done, latents.get(done), memories.get(done))
                        .build(), manager, StepListener.NONE, Cancellation.NONE).latents();
                double d = OracleFiles.maxAbsDiff(full, resumed);
                assertTrue(d <= 1e-6, sampler + " resumed after step " + done + ": off by " + d);
            }
            double withoutMemory = OracleFiles.maxAbsDiff(full, pipeline.generate(request.resume(3, latents.get(3))
                    .build(), manager, StepListener.NONE, Cancellation.NONE).latents());
            assertTrue(withoutMemory > 1e-4, sampler + ": the memory matters, without it the run differs by "
                    + withoutMemory);

            latents.clear();
            memories.clear();
            NDArray fullEnsemble = ensemble.generate(request.resume(0, null).build(), 0.5, manager,
                    memoryRecorder(latents, memories), Cancellation.NONE).latents();
            for (int done : new int[] {2, 3, 4}) {
                NDArray resumed = ensemble.generate(request.resume(done, latents.get(done), memories.get(done))
                        .build(), 0.5, manager, StepListener.NONE, Cancellation.NONE).latents();
                double d = OracleFiles.maxAbsDiff(fullEnsemble, resumed);
                assertTrue(d <= 1e-6, sampler + " ensemble resumed after step " + done + ": off by " + d);
            }
        }
    }

    @Test
    void anEnsembleResumesInTheBaseOrInTheRefinersPart() {
        ExpertEnsemble ensemble = new ExpertEnsemble(pipeline, pipeline);
        Map<Integer, NDArray> recorded = new HashMap<>();
        StepListener record = recorder(recorded);
        NDArray full = ensemble.generate(request().build(), 0.5, manager, record, Cancellation.NONE).latents();
        // the base runs steps 1-3, the refiner 4-6
        for (int done : new int[] {2, 3, 5}) {
            List<Integer> indices = new ArrayList<>();
            NDArray resumed = ensemble.generate(request().resume(done, recorded.get(done)).build(), 0.5, manager,
                    (i, total, t, latents, x0) -> indices.add(i), Cancellation.NONE).latents();
            List<Integer> expected = new ArrayList<>();
            for (int i = done; i < STEPS; i++) {
                expected.add(i);
            }
            assertEquals(expected, indices, "steps after a resume at " + done);
            double d = OracleFiles.maxAbsDiff(full, resumed);
            assertTrue(d <= 1e-6, "ensemble resumed after step " + done + ": off by " + d);
        }
    }
}
