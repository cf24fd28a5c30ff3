package io.latentflow.cli;

import com.google.protobuf.util.JsonFormat;
import io.latentflow.proto.ModelRef;
import io.latentflow.proto.TrainingRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * The common fields of a training run as command-line options, over an optional --config file; options left out
 * leave the field as the file has it, or unset so that the orchestrator applies its documented default.
 */
final class TrainingOptions {

    @Option(names = "--config", paramLabel = "FILE",
            description = "a TrainingRequest in protobuf JSON (snake_case or camelCase); options below override it")
    Path config;

    @Option(names = "--run-id", paramLabel = "ID", description = "run id (default: a random UUID)")
    String runId;

    @Option(names = "--kind", paramLabel = "KIND", description = "vae, unet or refiner")
    String kind;

    @Option(names = "--dataset", paramLabel = "NAME", description = "dataset name: datasets/<name>/ in the bucket")
    String dataset;

    @Option(names = "--base-model", paramLabel = "NAME[:VERSION]", description = "model trained from (default tiny-sd)")
    String baseModel;

    @Option(names = "--output-model", paramLabel = "NAME[:VERSION]",
            description = "published as models/<name>/<version>/")
    String outputModel;

    @Option(names = "--train-text-encoder", negatable = true, description = "unet, refiner: train the text encoder too")
    Boolean trainTextEncoder;

    @Option(names = "--from-scratch", negatable = true,
            description = "start from fresh weights of the base architecture")
    Boolean fromScratch;

    @Option(names = "--learning-rate", paramLabel = "X", description = "AdamW learning rate (default 1e-4)")
    Double learningRate;

    @Option(names = "--lr-scheduler", paramLabel = "NAME",
            description = "constant (default), constant_with_warmup, cosine")
    String lrScheduler;

    @Option(names = "--lr-warmup-steps", paramLabel = "N", description = "learning-rate warmup steps (default 0)")
    Integer lrWarmupSteps;

    @Option(names = "--train-batch-size", paramLabel = "N", description = "images per forward pass (default 4)")
    Integer trainBatchSize;

    @Option(names = "--gradient-accumulation-steps", paramLabel = "N",
            description = "batches per optimizer step (default 1)")
    Integer gradientAccumulationSteps;

    @Option(names = "--max-train-steps", paramLabel = "N", description = "optimizer steps (default 100)")
    Integer maxTrainSteps;

    @Option(names = "--max-grad-norm", paramLabel = "X", description = "gradient clipping norm, 0 off (default 1.0)")
    Double maxGradNorm;

    @Option(names = "--use-ema", negatable = true, description = "keep, publish and sample an EMA of the weights")
    Boolean useEma;

    @Option(names = "--ema-decay", paramLabel = "X", description = "EMA decay (default 0.9999)")
    Double emaDecay;

    @Option(names = "--snr-gamma", paramLabel = "X", description = "min-SNR weighting gamma, 0 off (default 0)")
    Double snrGamma;

    @Option(names = "--noise-offset", paramLabel = "X", description = "offset noise strength (default 0)")
    Double noiseOffset;

    @Option(names = "--prediction-type", paramLabel = "TYPE",
            description = "epsilon, v_prediction or sample (default: the base model's)")
    String predictionType;

    @Option(names = "--conditioning-dropout-prob", paramLabel = "P",
            description = "caption dropout for guidance (default 0.1)")
    Double conditioningDropoutProb;

    @Option(names = "--checkpointing-steps", paramLabel = "N",
            description = "checkpoint every N steps and at the last (default 50)")
    Integer checkpointingSteps;

    @Option(names = "--checkpoints-total-limit", paramLabel = "N", description = "checkpoints kept, 0 all (default 0)")
    Integer checkpointsTotalLimit;

    @Option(names = "--validation-prompt", paramLabel = "PROMPT",
            description = "sampled at each validation; repeatable, replaces the file's list")
    List<String> validationPrompts;

    @Option(names = "--validation-steps", paramLabel = "N",
            description = "sample every N steps (default --checkpointing-steps)")
    Integer validationSteps;

    @Option(names = "--seed", description = "random seed (default 0)")
    Long seed;

    @Option(names = "--resolution", paramLabel = "PX", description = "image side in pixels (default 64)")
    Integer resolution;

    @Option(names = "--max-timestep", paramLabel = "T", description = "refiner: timesteps below this (default 200)")
    Integer maxTimestep;

    @Option(names = "--kl-weight", paramLabel = "X", description = "vae: KL loss weight (default 1e-6)")
    Double klWeight;

    @Option(names = "--disc-start", paramLabel = "STEP",
            description = "vae: step the adversarial loss starts (default 50001)")
    Long discStart;

    @Option(names = "--disc-weight", paramLabel = "X", description = "vae: adversarial loss weight (default 0.5)")
    Double discWeight;

    @Option(names = "--disc-loss", paramLabel = "NAME", description = "vae: hinge (default) or vanilla")
    String discLoss;

    @Option(names = "--disc-factor", paramLabel = "X", description = "vae: discriminator factor (default 1.0)")
    Double discFactor;

    /** The request: the --config file's (if any) with every given option written over it, and a run id. */
    TrainingRequest toRequest() throws IOException {
        TrainingRequest.Builder request = TrainingRequest.newBuilder();
        if (config != null) {
            // strict, unlike records read back from the system: a misspelt field must not silently become a default
            JsonFormat.parser().merge(Files.readString(config), request);
        }
        set(runId, request::setRunId);
        if (request.getRunId().isBlank()) {
            request.setRunId(UUID.randomUUID().toString());
        }
        set(kind, request::setKind);
        set(dataset, request::setDataset);
        set(baseModel, name -> request.setBaseModel(modelRef(name)));
        set(outputModel, name -> request.setOutputModel(modelRef(name)));
        set(trainTextEncoder, request::setTrainTextEncoder);
        set(fromScratch, request::setFromScratch);
        set(learningRate, request::setLearningRate);
        set(lrScheduler, request::setLrScheduler);
        set(lrWarmupSteps, request::setLrWarmupSteps);
        set(trainBatchSize, request::setTrainBatchSize);
        set(gradientAccumulationSteps, request::setGradientAccumulationSteps);
        set(maxTrainSteps, request::setMaxTrainSteps);
        set(maxGradNorm, request::setMaxGradNorm);
        set(useEma, request::setUseEma);
        set(emaDecay, request::setEmaDecay);
        set(snrGamma, request::setSnrGamma);
        set(noiseOffset, request::setNoiseOffset);
        set(predictionType, request::setPredictionType);
        set(conditioningDropoutProb, request::setConditioningDropoutProb);
        set(checkpointingSteps, request::setCheckpointingSteps);
        set(checkpointsTotalLimit, request::setCheckpointsTotalLimit);
        set(validationPrompts, prompts -> request.clearValidationPrompts().addAllValidationPrompts(prompts));
        set(validationSteps, request::setValidationSteps);
        set(seed, request::setSeed);
        set(resolution, request::setResolution);
        set(maxTimestep, request::setMaxTimestep);
        set(klWeight, request::setKlWeight);
        set(discStart, request::setDiscStart);
        set(discWeight, request::setDiscWeight);
        set(discLoss, request::setDiscLoss);
        set(discFactor, request::setDiscFactor);
        return request.build();
    }

    /** {@code NAME[:VERSION]}; without a version the version stays empty. */
    static ModelRef modelRef(String text) {
        int colon = text.indexOf(':');
        return colon < 0
            ? ModelRef.newBuilder().setName(text).build()
            : ModelRef.newBuilder().setName(text.substring(0, colon)).setVersion(text.substring(colon + 1)).build();
    }

    /** The inverse of {@link #modelRef}. */
    static String modelText(ModelRef model) {
        return model.getVersion().isEmpty() ? model.getName() : model.getName() + ":" + model.getVersion();
    }

    private static <T> void set(T option, Consumer<T> field) {
        if (option != null) {
            field.accept(option);
        }
    }
}
