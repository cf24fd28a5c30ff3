package io.latentflow.denoiser.grpc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.model.PipelineFolder;
import io.latentflow.core.text.ClipTextConfig;
import io.latentflow.core.text.ClipTextModel;
import io.latentflow.core.text.ClipTokenizer;
import io.latentflow.core.train.TextConditioning;
import io.latentflow.core.train.TrainingSettings;
import io.latentflow.core.train.UNetTrainingRun;
import io.latentflow.core.unet.UNet2dConditionConfig;
import io.latentflow.core.unet.UNet2dConditionModel;
import io.latentflow.proto.TrainJob;
import io.latentflow.service.grpc.InvalidFieldException;
import io.latentflow.service.training.TrainingContext;
import io.latentflow.service.training.TrainingRecipe;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads the TrainJob of a unet or refiner run into core's {@link UNetTrainingRun}: the base model's UNet (and its text
 * encoder when trained jointly, with the tokenizer), the dataset's latents and, with a frozen text encoder, the
 * hidden states computed beforehand. Shapes are checked against the UNet and each other; a mismatch names the job
 * field at fault.
 */
final class TrainJobReader {

    /** Fresh text-encoder weights draw from seed + this, so that they do not repeat the UNet's draws. */
    private static final long TEXT_ENCODER_SEED_OFFSET = 1;

    private TrainJobReader() {
    }

    static TrainingRecipe.PreparedRun prepare(TrainingContext context) {
        TrainingSettings settings = context.settings();
        PipelineFolder base = context.baseModel();
        Path unetConfigFile = base.component("unet").resolve("config.json");
        UNet2dConditionConfig unetConfig = UNet2dConditionConfig.load(unetConfigFile);
        UNetTrainingRun.Latents latents = latents(context, unetConfig);
        long items = latents.mean().getShape().get(0);
        Map<String, NDArray> unetWeights = context.startingWeights("unet", settings.seed(),
                config -> UNet2dConditionModel.parameterShapes(UNet2dConditionConfig.load(config)));
        UNetTrainingRun.Model model;
        TextConditioning text;
        if (settings.trainTextEncoder()) {
            TrainJob job = context.job();
            if (job.getCaptionsCount() != items) {
                throw new InvalidFieldException("captions", "has " + job.getCaptionsCount() + " captions for "
                        + items + " latents");
            }
            Path textConfigFile = base.component("text_encoder").resolve("config.json");
            ClipTextConfig textConfig = ClipTextConfig.read(textConfigFile);
            Map<String, NDArray> textWeights = context.startingWeights("text_encoder",
                    settings.seed() + TEXT_ENCODER_SEED_OFFSET, config -> ClipTextModel.parameterShapes(textConfig));
            text = new TextConditioning.Joint(textConfig, ClipTokenizer.load(base.component("tokenizer")),
                    job.getCaptionsList(), settings.validationPrompts());
            model = new UNetTrainingRun.Model(unetConfigFile, unetWeights, textConfigFile, textWeights,
                    context.scheduler());
        } else {
            text = frozen(context, items, unetConfig);
            model = new UNetTrainingRun.Model(unetConfigFile, unetWeights, null, null, context.scheduler());
        }
        return new UNetTrainingRun(settings, model, latents, text, context.checkpoints(), context.listener(),
                context.workDir())::run;
    }

    /** latents_key: {@code mean} (N, in_channels, h, w) and optionally {@code std} of the same shape. */
    private static UNetTrainingRun.Latents latents(TrainingContext context, UNet2dConditionConfig unet) {
        String key = context.job().getLatentsKey();
        Map<String, NDArray> tensors = context.tensors("latents_key", key);
        NDArray mean = require(tensors, "latents_key", key, "mean");
        Shape shape = mean.getShape();
        if (shape.dimension() != 4 || shape.get(0) < 1 || shape.get(1) != unet.inChannels()) {
            throw new InvalidFieldException("latents_key", key + ": mean is " + shape + ", the UNet takes (N, "
                    + unet.inChannels() + ", h, w)");
        }
        NDArray std = tensors.get("std");
        if (std != null && !std.getShape().equals(shape)) {
            throw new InvalidFieldException("latents_key", key + ": std is " + std.getShape() + ", mean " + shape);
        }
        return new UNetTrainingRun.Latents(mean, std);
    }

    /**
     * embeddings_key: {@code captions} (N, L, D), {@code empty} (1, L, D) and {@code validation} (P, L, D) for the P
     * validation prompts (optional without prompts), D the UNet's cross-attention width.
     */
    private static TextConditioning frozen(TrainingContext context, long items, UNet2dConditionConfig unet) {
        String key = context.job().getEmbeddingsKey();
        if (key.isBlank()) {
            throw new InvalidFieldException("embeddings_key", "is required when the text encoder is frozen "
                    + "(train_text_encoder false)");
        }
        Map<String, NDArray> tensors = context.tensors("embeddings_key", key);
        NDArray captions = require(tensors, "embeddings_key", key, "captions");
        NDArray empty = require(tensors, "embeddings_key", key, "empty");
        Shape shape = captions.getShape();
        long width = unet.crossAttentionDims().isEmpty() ? shape.get(shape.dimension() - 1)
                : unet.crossAttentionDims().get(0);
        if (shape.dimension() != 3 || shape.get(0) != items || shape.get(2) != width) {
            throw new InvalidFieldException("embeddings_key", key + ": captions is " + shape + ", expected ("
                    + items + ", L, " + width + ") for " + items + " latents and the UNet's cross_attention_dim");
        }
        Shape row = new Shape(1, shape.get(1), width);
        if (!empty.getShape().equals(row)) {
            throw new InvalidFieldException("embeddings_key", key + ": empty is " + empty.getShape() + ", expected "
                    + row);
        }
        int prompts = context.settings().validationPrompts().size();
        NDArray validation = tensors.get("validation");
        if (prompts > 0) {
            Shape expected = new Shape(prompts, shape.get(1), width);
            if (validation == null || !validation.getShape().equals(expected)) {
                throw new InvalidFieldException("embeddings_key", key + ": validation is "
                        + (validation == null ? "missing" : validation.getShape()) + ", expected " + expected
                        + " for the " + prompts + " validation_prompts");
            }
        }
        return new TextConditioning.Frozen(captions, empty, validation != null ? validation : empty);
    }

    private static NDArray require(Map<String, NDArray> tensors, String field, String key, String name) {
        NDArray tensor = tensors.get(name);
        if (tensor == null) {
            throw new InvalidFieldException(field, key + " has no tensor '" + name + "' (it has " + tensors.keySet()
                    + ")");
        }
        return tensor;
    }
}
