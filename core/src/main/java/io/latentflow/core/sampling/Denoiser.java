package io.latentflow.core.sampling;

import ai.djl.ndarray.NDArray;

/**
 * One model evaluation on a noisy sample x_t at timestep t; conditioning and classifier-free guidance are bound
 * inside the implementation and the output is in the model's prediction type.
 *
 * <p>Shapes: latents (B, C, H, W) already scaled by the sampler's scale_model_input; the result (B, C, H, W) must be
 * attached to {@code latents.getManager()}.
 */
public interface Denoiser {
    /** eps, v or x0 predicted for {@code latents} at {@code timestep} (fractional for interpolated schedules). */
    NDArray predict(NDArray latents, float timestep);
}
