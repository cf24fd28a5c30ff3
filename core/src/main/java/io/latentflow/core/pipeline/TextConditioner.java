package io.latentflow.core.pipeline;

import ai.djl.ndarray.NDManager;
import io.latentflow.core.text.PromptEmbeddings;

import java.util.List;

/**
 * The text side of a pipeline: prompts to what the UNet attends to. In this JVM it is the folder's text encoder(s);
 * across services it is the text encoder service.
 */
public interface TextConditioner {

    /**
     * Encodes a batch of prompts; the results belong to {@code manager}.
     *
     * @return hidden states (B, L, D), the pooled embedding (B, P) for SDXL models or null, and token counts
     */
    PromptEmbeddings encode(List<String> prompts, NDManager manager);
}
