package io.latentflow.core.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.model.ModelLoadException;
import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.model.PipelineFolder;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns prompts into the UNet's text conditioning as diffusers' Stable Diffusion pipelines do: with one text encoder
 * (SD1.x, SD2.x) its last hidden state; with text_encoder_2 (SDXL) the penultimate hidden states of every encoder
 * concatenated on the feature axis, and text_encoder_2's projected pooled output as the pooled embedding.
 */
public final class PromptEncoder implements AutoCloseable {

    private final List<ClipTokenizer> tokenizers;
    private final List<ClipTextModel> encoders;
    private final boolean penultimateWithPooled;

    private PromptEncoder(List<ClipTokenizer> tokenizers, List<ClipTextModel> encoders, boolean penultimateWithPooled) {
        this.tokenizers = List.copyOf(tokenizers);
        this.encoders = List.copyOf(encoders);
        this.penultimateWithPooled = penultimateWithPooled;
    }

    /**
     * Loads tokenizer + text_encoder and, when the folder has them, tokenizer_2 + text_encoder_2 (an SDXL refiner,
     * which has only the second pair, is supported too).
     */
    public static PromptEncoder load(PipelineFolder folder, ModelOptions options) {
        boolean second = folder.has("text_encoder_2") && folder.has("tokenizer_2");
        List<String[]> pairs = new ArrayList<>();
        if (folder.has("text_encoder") || !second) {
            pairs.add(new String[] {"tokenizer", "text_encoder"});
        }
        if (second) {
            pairs.add(new String[] {"tokenizer_2", "text_encoder_2"});
        }
        List<ClipTokenizer> tokenizers = new ArrayList<>();
        List<ClipTextModel> encoders = new ArrayList<>();
        try {
            for (String[] pair : pairs) {
                ClipTokenizer tokenizer = ClipTokenizer.load(folder.component(pair[0]));
                ClipTextModel encoder = ClipTextModel.load(folder.component(pair[1]), options);
                encoders.add(encoder);
                tokenizers.add(tokenizer);
                if (tokenizer.maxLength() > encoder.config().maxPositionEmbeddings()) {
                    throw new ModelLoadException(folder.component(pair[0]) + ": model_max_length "
                            + tokenizer.maxLength() + " exceeds " + pair[1] + "'s max_position_embeddings "
                            + encoder.config().maxPositionEmbeddings());
                }
            }
            if (tokenizers.stream().mapToInt(ClipTokenizer::maxLength).distinct().count() > 1) {
                throw new ModelLoadException(folder.component("tokenizer_2")
                        + ": tokenizer and tokenizer_2 must share model_max_length to concatenate their states");
            }
            if (second && !encoders.get(encoders.size() - 1).config().withProjection()) {
                throw new ModelLoadException(folder.component("text_encoder_2")
                        + ": text_encoder_2 must be a CLIPTextModelWithProjection (its text_embeds are the pooled "
                        + "conditioning)");
            }
        } catch (RuntimeException e) {
            encoders.forEach(ClipTextModel::close);
            throw e;
        }
        return new PromptEncoder(tokenizers, encoders, second);
    }

    /** True for the SDXL arrangement (penultimate hidden states plus a pooled embedding). */
    public boolean hasPooled() {
        return penultimateWithPooled;
    }

    /** Width D of the hidden states: the encoder's hidden size, or the sum of both for SDXL. */
    public int hiddenSize() {
        return encoders.stream().mapToInt(e -> e.config().hiddenSize()).sum();
    }

    /** The first tokenizer (text_encoder's), which also gives {@link PromptEmbeddings#tokenCounts()}. */
    public ClipTokenizer tokenizer() {
        return tokenizers.get(0);
    }

    /**
     * Encodes a batch of prompts; the results belong to {@code manager}, all intermediate arrays are freed.
     *
     * @return hidden states (B, L, D), pooled (B, P) or null, and per-prompt token counts
     */
    public PromptEmbeddings encode(List<String> prompts, NDManager manager) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("at least one prompt is required");
        }
        int[] tokenCounts = prompts.stream().mapToInt(tokenizer()::tokenCount).toArray();
        try (NDManager scope = manager.newSubManager()) {
            NDList states = new NDList(encoders.size());
            NDArray pooled = null;
            for (int e = 0; e < encoders.size(); e++) {
                ClipTokenizer tokenizer = tokenizers.get(e);
                // input ids: (B, L)
                long[] ids = new long[prompts.size() * tokenizer.maxLength()];
                for (int b = 0; b < prompts.size(); b++) {
                    System.arraycopy(tokenizer.encode(prompts.get(b)), 0, ids, b * tokenizer.maxLength(),
                            tokenizer.maxLength());
                }
                NDArray inputIds = scope.create(ids, new Shape(prompts.size(), tokenizer.maxLength()));
                ClipTextOutput out = encoders.get(e).forward(inputIds);
                if (penultimateWithPooled) {
                    states.add(out.penultimateHiddenState());
                    pooled = out.textEmbeds();
                } else {
                    states.add(out.lastHiddenState());
                }
            }
            // SDXL: (B, L, 768) ++ (B, L, 1280) -> (B, L, 2048)
            NDArray hiddenStates = states.size() == 1 ? states.get(0) : NDArrays.concat(states, -1);
            hiddenStates.attach(manager);
            if (pooled != null) {
                pooled.attach(manager);
            }
            return new PromptEmbeddings(hiddenStates, pooled, tokenCounts);
        }
    }

    /** Frees the text encoders' weights. */
    @Override
    public void close() {
        encoders.forEach(ClipTextModel::close);
    }
}
