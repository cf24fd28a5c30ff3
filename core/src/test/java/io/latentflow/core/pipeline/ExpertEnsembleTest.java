package io.latentflow.core.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.sampling.Cancellation;
import io.latentflow.core.sampling.OracleFiles;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Base + refiner hand-over: with the same model on both sides the split run equals one uninterrupted run, for
 * text-to-image and image-to-image alike.
 */
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

    @Test
    void anImageToImageRunSplitsItsStrengthWindowAndAMaskIsRefused() {
        try (NDManager manager = NDManager.newBaseManager();
             LatentDiffusionPipeline pipeline = LatentDiffusionPipeline.load(
                     OracleFiles.root().resolve("pipeline_sd_tiny"), ModelOptions.defaults())) {
            NDArray image = manager.randomUniform(-1, 1, new Shape(1, 3, 64, 64));
            GenerationRequest request = GenerationRequest.builder("a red circle").steps(10).seeds(8).sampler("ddim")
                    .initImage(image, 0.6).build();
            ExpertEnsemble ensemble = new ExpertEnsemble(pipeline, pipeline);
            assertEquals(6, ensemble.plannedSteps(request, 0.8));
            GenerationResult full = pipeline.generate(request, manager);
            List<Integer> indices = new ArrayList<>();
            GenerationResult split = ensemble.generate(request, 0.8, manager,
                    (i, total, t, latents, x0) -> {
                        assertEquals(6, total);
                        indices.add(i);
                    }, Cancellation.NONE);
            assertEquals(List.of(0, 1, 2, 3, 4, 5), indices);
            double d = OracleFiles.maxAbsDiff(full.latents(), split.latents());
            assertTrue(d <= 1e-5, "split img2img run differs by " + d);

            GenerationRequest inpainting = GenerationRequest.builder("a red circle").steps(10).initImage(image, 1.0)
                    .mask(manager.ones(new Shape(1, 1, 64, 64))).build();
            InvalidGenerationException e = assertThrows(InvalidGenerationException.class,
                    () -> ensemble.plannedSteps(inpainting, 0.8));
            assertEquals("refiner", e.field());
        }
    }
}
