package io.latentflow.denoiser.model;

import ai.djl.ndarray.NDArray;

/**
 * What the UNet is conditioned on for a batch of B samples.
 *
 * @param context    encoder_hidden_states (B, L, D)
 * @param textEmbeds pooled text embeds (B, P) for text_time models, else null
 * @param timeIds    added time ids (B, 6 or 5) for text_time models, else null
 */
public record UnetConditioning(NDArray context, NDArray textEmbeds, NDArray timeIds) {

    /** This conditioning followed by {@code other} on the batch axis. */
    UnetConditioning concat(UnetConditioning other) {
        return new UnetConditioning(context.concat(other.context, 0),
                textEmbeds == null ? null : textEmbeds.concat(other.textEmbeds, 0),
                timeIds == null ? null : timeIds.concat(other.timeIds, 0));
    }
}
