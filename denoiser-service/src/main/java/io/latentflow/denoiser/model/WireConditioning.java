package io.latentflow.denoiser.model;

import io.latentflow.proto.Tensor;

/**
 * Conditioning tensors of one call as they arrived (context required; text_embeds and time_ids only for text_time
 * models, else null).
 */
public record WireConditioning(Tensor context, Tensor textEmbeds, Tensor timeIds) {

    /** Whether any tensor is present. */
    public boolean isPresent() {
        return context != null || textEmbeds != null || timeIds != null;
    }
}
