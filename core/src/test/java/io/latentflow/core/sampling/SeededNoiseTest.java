package io.latentflow.core.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Seeded per-image noise as diffusers draws it with a list of CPU generators: image i's draws are those of
 * {@code torch.Generator().manual_seed(seeds[i])} alone, in order (checked bit for bit against
 * oracle/pipeline_sd_tiny, PyTorch 1.13.1), whatever the other images of the batch are.
 */
class SeededNoiseTest {
    private static final Shape LATENT = new Shape(1, 4, 8, 8);

    @Test
    void eachImageOfABatchGetsItsOwnSeedsTorchDraws() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> t = OracleFiles.tensors(
                    OracleFiles.root().resolve("pipeline_sd_tiny/cases.safetensors"), manager);
            // image 0: seed 11301 (case0's latents), image 1: seed 11401 (case2's two draws), image 2: seed 11501
            NoiseSource noise = NoiseSource.seeded(11301, 11401, 11501);
            NDArray first = noise.next(new Shape(3, 4, 8, 8), manager);
            NDArray second = noise.next(new Shape(3, 4, 8, 8), manager);
            assertArrayEquals(t.get("case0.init_latents_given").toFloatArray(), first.get(0).toFloatArray());
            assertArrayEquals(t.get("case2.noise_vae_posterior").toFloatArray(), first.get(1).toFloatArray());
            assertArrayEquals(t.get("case2.noise").toFloatArray(), second.get(1).toFloatArray());
            assertArrayEquals(t.get("case3.noise_vae_posterior").toFloatArray(), first.get(2).toFloatArray());
            assertArrayEquals(t.get("case3.noise").toFloatArray(), second.get(2).toFloatArray());
        }
    }

    @Test
    void aSeedDrawsTheSameAloneAndInsideABatch() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NoiseSource alone = NoiseSource.seeded(42);
            NoiseSource batch = NoiseSource.seeded(7, 42);
            for (int draw = 0; draw < 3; draw++) {
                Shape shape = draw == 1 ? new Shape(1, 3) : LATENT;
                float[] expected = alone.next(shape, manager).toFloatArray();
                NDArray both = batch.next(new Shape(2).addAll(shape.slice(1)), manager);
                assertArrayEquals(expected, both.get(1).toFloatArray(), "draw " + draw);
            }
        }
    }

    @Test
    void drawsContinueOneStreamPerImage() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NoiseSource noise = NoiseSource.seeded(5);
            float[] first = noise.next(LATENT, manager).toFloatArray();
            float[] second = noise.next(LATENT, manager).toFloatArray();
            TorchCpuGenerator generator = new TorchCpuGenerator(5);
            assertArrayEquals(generator.randn(256), first);
            assertArrayEquals(generator.randn(256), second);
        }
    }

    @Test
    void aBatchOtherThanTheNumberOfSeedsIsRejected() {
        try (NDManager manager = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NoiseSource.seeded(1, 2).next(LATENT, manager));
            assertEquals("noise of batch 1 asked from 2 seeds", e.getMessage());
            assertThrows(IllegalArgumentException.class, SeededNoise::new);
        }
    }
}
