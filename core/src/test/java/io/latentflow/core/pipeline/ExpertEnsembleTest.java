package io.latentflow.core.pipeline;

import ai.djl.ndarray.NDManager;
import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.sampling.Cancellation;
import io.latentflow.core.sampling.OracleFiles;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Base + refiner hand-over: with the same model on both sides the split run equals one uninterrupted run. */
class ExpertEnsembleTest {

    @Test
    void splittingOneModelAtDenoisingEndEqualsTheFullRun() {
        try (NDManager manager = NDManager.newBaseManager();
             LatentDiffusionPipeline pipeline = LatentDiffusionPipeline.load(
                     OracleFiles.root().resolve("pipeline_sd_tiny"), ModelOptions.defaults())) {
            GenerationRequest request = GenerationRequest.builder("a red circle").steps(6).seeds(5).sampler("ddim")
                    .build();
            GenerationResult full = pipeline.generate(request, manager);
            List<Integer> indices = new ArrayList<>();
            List<Float> timesteps = new ArrayList<>();
            GenerationResult split = new ExpertEnsemble(pipeline, pipeline).generate(request, 0.5, manager,
                    (i, total, t, latents, x0) -> {
                        assertEquals(6, total);
                        indices.add(i);
                        timesteps.add(t);
                    }, Cancellation.NONE);
            assertEquals(List.of(0, 1, 2, 3, 4, 5), indices);
            assertEquals(List.of(831f, 665f, 499f, 333f, 167f, 1f), timesteps);
            double d = OracleFiles.maxAbsDiff(full.latents(), split.latents());
            assertTrue(d <= 1e-5, "split run differs by " + d);
            assertTrue(OracleFiles.maxAbsDiff(full.images(), split.images()) <= 1e-5);
        }
    }
}
