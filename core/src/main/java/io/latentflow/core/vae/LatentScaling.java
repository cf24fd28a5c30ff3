package io.latentflow.core.vae;

import ai.djl.ndarray.NDArray;

/**
 * The map between the VAE's raw latents and the scaled latents the UNet works on, as diffusers' pipelines apply it:
 * scaled = (raw - shift_factor) * scaling_factor, raw = scaled / scaling_factor + shift_factor.
 */
public record LatentScaling(float scalingFactor, float shiftFactor) {

    public static LatentScaling of(AutoencoderKlConfig config) {
        return new LatentScaling((float) config.scalingFactor(), (float) config.shiftFactor());
    }

    /** Raw latents to what the UNet works on; the result is attached to {@code raw}'s manager. */
    public NDArray scale(NDArray raw) {
        return raw.sub(shiftFactor).mul(scalingFactor);
    }

    /** Scaled latents back to raw latents for the decoder; the result is attached to {@code scaled}'s manager. */
    public NDArray unscale(NDArray scaled) {
        return scaled.div(scalingFactor).add(shiftFactor);
    }
}
