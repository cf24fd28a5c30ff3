package io.latentflow.core.pipeline;

import ai.djl.ndarray.NDArray;

/**
 * Everything a UNet is conditioned on for one generation, the prompt and negative-prompt branches apart.
 *
 * @param hiddenStates           prompt hidden states (B, L, D)
 * @param negativeHiddenStates   negative-prompt hidden states (B, L, D), or null to run without guidance
 * @param textEmbeds             SDXL pooled prompt embedding (B, P), else null
 * @param negativeTextEmbeds     SDXL pooled negative-prompt embedding (B, P), else null
 * @param timeIds                SDXL size and crop (or aesthetic score) ids of the prompt branch (B, 5|6), else null
 * @param negativeTimeIds        the same for the negative branch, else null
 * @param extraChannels          9-channel inpainting UNets: mask and masked-image latents (B, 1 + C, h, w), else null
 * @param guidanceScale          classifier-free guidance scale s: eps_u + s (eps_c - eps_u)
 * @param guidanceRescale        guidance rescale phi (Lin et al. 2023), 0 for none
 */
public record UNetConditioning(NDArray hiddenStates, NDArray negativeHiddenStates, NDArray textEmbeds,
        NDArray negativeTextEmbeds, NDArray timeIds, NDArray negativeTimeIds, NDArray extraChannels,
        float guidanceScale, float guidanceRescale) {

    /** Whether the negative branch is there and guidance combines both. */
    public boolean guided() {
        return negativeHiddenStates != null;
    }
}
