package io.latentflow.core.text;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;

/**
 * Text conditioning of a batch of prompts for a diffusion UNet.
 *
 * @param hiddenStates (B, 77, D) cross-attention states: the encoder's last hidden state (SD1/SD2), or both encoders'
 *                     penultimate hidden states concatenated on the feature axis (SDXL, D = 768 + 1280)
 * @param pooled       (B, P) text_encoder_2's projected pooled output (SDXL), or null
 * @param tokenCounts  per prompt, the non-padding token count including start and end tokens (at most 77)
 */
public record PromptEmbeddings(NDArray hiddenStates, NDArray pooled, int[] tokenCounts) {

    public PromptEmbeddings {
        if (hiddenStates == null) {
            throw new IllegalArgumentException("hiddenStates is required");
        }
        if (tokenCounts.length != hiddenStates.getShape().get(0)) {
            throw new IllegalArgumentException("one token count per prompt: " + tokenCounts.length + " counts for "
                    + hiddenStates.getShape().get(0) + " prompts");
        }
        tokenCounts = tokenCounts.clone();
    }

    /** True when a pooled embedding is present (SDXL's added conditioning). */
    public boolean hasPooled() {
        return pooled != null;
    }

    /** Prompts [from, to) of the batch. */
    public PromptEmbeddings prompts(int from, int to) {
        String range = from + ":" + to;
        return new PromptEmbeddings(hiddenStates.get(range), pooled == null ? null : pooled.get(range),
                Arrays.copyOfRange(tokenCounts, from, to));
    }

    @Override
    public int[] tokenCounts() {
        return tokenCounts.clone();
    }
}
