package io.latentflow.denoiser.model;

import ai.djl.ndarray.NDArray;

/**
 * One validated Predict call in the UNet's terms.
 *
 * @param sample          latents x_t (B, C, H, W) in the model's dtype
 * @param timesteps       one float32 timestep per sample (B)
 * @param cond            conditioning, batch B
 * @param uncond          unconditional conditioning for classifier-free guidance (batch B), or null
 * @param guidanceScale   classifier-free guidance scale
 * @param guidanceRescale guidance rescale factor, 0 = off
 */
public record UnetInputs(NDArray sample, NDArray timesteps, UnetConditioning cond, UnetConditioning uncond,
        float guidanceScale, float guidanceRescale) {
}
