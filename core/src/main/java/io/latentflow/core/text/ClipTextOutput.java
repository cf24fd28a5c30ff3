package io.latentflow.core.text;

import ai.djl.ndarray.NDArray;

import java.util.List;

/**
 * What a CLIP text encoder returns, as transformers' CLIPTextModel(WithProjection) with output_hidden_states.
 *
 * @param lastHiddenState (B, L, D), after the final layer norm
 * @param pooled          (B, D), lastHiddenState at each sequence's end-of-text position
 * @param hiddenStates    numHiddenLayers + 1 tensors (B, L, D): embeddings output, then each layer's output (before
 *                        the final layer norm)
 * @param textEmbeds      (B, projectionDim) = text_projection(pooled), or null for a model without projection
 */
public record ClipTextOutput(NDArray lastHiddenState, NDArray pooled, List<NDArray> hiddenStates, NDArray textEmbeds) {

    public ClipTextOutput {
        hiddenStates = List.copyOf(hiddenStates);
    }

    /** hiddenStates[size - 2]: the output of the second-to-last layer (SDXL's conditioning). */
    public NDArray penultimateHiddenState() {
        return hiddenStates.get(hiddenStates.size() - 2);
    }
}
