package io.latentflow.core.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.unet.UNet2dConditionConfig;

/**
 * SDXL micro-conditioning (Podell et al. 2023, sec. 2.2): the size and crop values the UNet embeds with Fourier
 * features next to the pooled text embedding.
 */
public final class SdxlConditioning {
    private SdxlConditioning() {
    }

    /**
     * Base model: (original_h, original_w, crop_top, crop_left, target_h, target_w); refiner (aesthetics score):
     * (original_h, original_w, crop_top, crop_left, aesthetic_score).
     */
    public static float[] timeIds(int[] originalSize, int[] cropsCoordsTopLeft, int[] targetSize,
                                  boolean aestheticsScore, double aestheticScore) {
        if (aestheticsScore) {
            return new float[] {originalSize[0], originalSize[1], cropsCoordsTopLeft[0], cropsCoordsTopLeft[1],
                (float) aestheticScore};
        }
        return new float[] {originalSize[0], originalSize[1], cropsCoordsTopLeft[0], cropsCoordsTopLeft[1],
            targetSize[0], targetSize[1]};
    }

    /** The same time ids for each of {@code batch} images: (batch, n). */
    static NDArray batch(float[] ids, int batch, NDManager manager) {
        float[] data = new float[ids.length * batch];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(ids, 0, data, b * ids.length, ids.length);
        }
        return manager.create(data, new Shape(batch, ids.length));
    }

    /**
     * Checks that the UNet's added-embedding input width is addition_time_embed_dim * len(time_ids) + pooled width,
     * which tells a base model (6 ids) from a refiner (5 ids).
     */
    static void check(UNet2dConditionConfig config, int timeIdCount, NDArray pooled) {
        if (pooled == null) {
            throw new InvalidGenerationException("model", "this UNet needs pooled text embeddings (text_encoder_2)");
        }
        Integer expected = config.projectionClassEmbeddingsInputDim();
        Integer timeDim = config.additionTimeEmbedDim();
        if (expected == null || timeDim == null) {
            return;
        }
        long passed = (long) timeDim * timeIdCount + pooled.getShape().get(1);
        if (passed != expected) {
            throw new InvalidGenerationException("model", "model expects an added time embedding vector of length " + expected
                    + ", but a vector of " + passed + " was created: requires_aesthetics_score in model_index.json "
                    + "must be " + (timeIdCount == 6) + " for this model");
        }
    }
}
