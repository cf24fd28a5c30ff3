package io.latentflow.core.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.sampling.Cancellation;
import io.latentflow.core.sampling.NoiseSource;
import io.latentflow.core.sampling.OracleFiles;
import io.latentflow.core.sampling.StepListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SDEdit refinement ({@link ExpertEnsemble#refine}) on oracle/pipeline_sd_tiny (DDIM, leading spacing, steps_offset
 * 1): the refiner runs the last int(steps * strength) timesteps as diffusers' img2img get_timesteps does, continues
 * the base's noise stream as one torch generator would, and repeats exactly for a seed.
 */
class ExpertRefinementTest {
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

    private static GenerationRequest request() {
        return GenerationRequest.builder("a red circle").steps(10).seeds(5).build();
    }

    private record Steps(List<Integer> indices, List<Integer> totals, List<Float> timesteps) implements StepListener {
        Steps() {
            this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }

        @Override
        public void onStep(int index, int total, float timestep, NDArray latents, NDArray predOriginalSample) {
            indices.add(index);
            totals.add(total);
            timesteps.add(timestep);
        }
    }

    @Test
    void refinerRunsTheLastIntStepsTimesStrengthTimesteps() {
        List<Float> base = List.of(901f, 801f, 701f, 601f, 501f, 401f, 301f, 201f, 101f, 1f);
        double[] strengths = {0.3, 0.25, 0.7, 1.0};
        int[] refinerSteps = {3, 2, 7, 10};
        for (int s = 0; s < strengths.length; s++) {
            Steps steps = new Steps();
            GenerationResult result = new ExpertEnsemble(pipeline, pipeline).refine(request(), strengths[s], manager,
                    steps, Cancellation.NONE);
            int total = 10 + refinerSteps[s];
            List<Float> expected = new ArrayList<>(base);
            expected.addAll(base.subList(10 - refinerSteps[s], 10));
            assertEquals(expected, steps.timesteps(), "strength " + strengths[s]);
            for (int i = 0; i < total; i++) {
                assertEquals(i, steps.indices().get(i));
                assertEquals(total, steps.totals().get(i));
            }
            assertEquals(3, result.images().getShape().get(1));
        }
    }

    @Test
    void refinementContinuesTheBaseNoiseStream() {
        NDArray refined = new ExpertEnsemble(pipeline, pipeline).refine(request(), 0.3, manager, StepListener.NONE,
                Cancellation.NONE).latents();
        // by hand: base txt2img, then img2img on its latents, both drawing from one seeded stream
        NoiseSource shared = NoiseSource.seeded(5);
        NDArray baseLatents = pipeline.generate(GenerationRequest.builder("a red circle").steps(10).noise(shared)
                .decode(false).build(), manager).latents();
        NDArray continued = pipeline.generate(GenerationRequest.builder("a red circle").steps(10).noise(shared)
                .initImage(baseLatents, 0.3).build(), manager).latents();
        NDArray restarted = pipeline.generate(GenerationRequest.builder("a red circle").steps(10).seeds(5)
                .initImage(baseLatents, 0.3).build(), manager).latents();
        double d = OracleFiles.maxAbsDiff(refined, continued);
        double apart = OracleFiles.maxAbsDiff(continued, restarted);
        System.out.printf("sdedit refinement: vs two-stage by hand %.2e, continued vs restarted noise %.2e%n", d,
                apart);
        assertTrue(d <= 1e-5, "refine differs from base + img2img on one noise stream by " + d);
        assertTrue(apart > 1e-3, "restarting the noise stream made no difference");
    }

    @Test
    void refinementIsDeterministicForASeed() {
        ExpertEnsemble ensemble = new ExpertEnsemble(pipeline, pipeline);
        GenerationResult first = ensemble.refine(request(), 0.4, manager, StepListener.NONE, Cancellation.NONE);
        GenerationResult second = ensemble.refine(request(), 0.4, manager, StepListener.NONE, Cancellation.NONE);
        GenerationResult other = ensemble.refine(GenerationRequest.builder("a red circle").steps(10).seeds(6).build(),
                0.4, manager, StepListener.NONE, Cancellation.NONE);
        assertEquals(0, OracleFiles.maxAbsDiff(first.images(), second.images()));
        assertEquals(0, OracleFiles.maxAbsDiff(first.latents(), second.latents()));
        assertTrue(OracleFiles.maxAbsDiff(first.latents(), other.latents()) > 1e-3);
    }

    @Test
    void strengthLeavingNoRefinerStepIsRefusedBeforeTheBaseRuns() {
        Steps steps = new Steps();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ExpertEnsemble(pipeline, pipeline).refine(request(), 0.05, manager, steps,
                        Cancellation.NONE));
        assertTrue(e.getMessage().contains("strength 0.05"), e.getMessage());
        assertEquals(List.of(), steps.indices());
        assertThrows(IllegalArgumentException.class, () -> new ExpertEnsemble(pipeline, pipeline).refine(request(),
                1.5, manager, steps, Cancellation.NONE));
        assertEquals(List.of(), steps.indices());
    }
}
