package io.latentflow.core.pipeline;

import ai.djl.ndarray.NDArray;

/**
 * The output of a generation.
 *
 * @param images  (B, 3, H, W) in [0, 1], or null when decoding was not asked for
 * @param latents (B, C, h, w) final latents, before VAE scaling is undone
 */
public record GenerationResult(NDArray images, NDArray latents) {
}
