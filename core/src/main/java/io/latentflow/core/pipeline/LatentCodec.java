package io.latentflow.core.pipeline;

import ai.djl.ndarray.NDArray;

/**
 * The VAE side of a pipeline: images to the scaled latents the UNet works on and back (Rombach et al. 2022, sec. 3).
 * In this JVM it is the folder's VAE; across services it is the VAE service.
 */
public interface LatentCodec {

    /**
     * Scaled latents scaling_factor * (z - shift_factor) of images (B, 3, H, W) in [-1, 1], with z drawn from the
     * posterior as z = mean + std * posteriorNoise; attached to {@code images}' manager.
     */
    NDArray encode(NDArray images, NDArray posteriorNoise);

    /** Images (B, 3, H, W) in [-1, 1] decoded from scaled latents; attached to {@code latents}' manager. */
    NDArray decode(NDArray latents);
}
