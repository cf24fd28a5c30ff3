package io.latentflow.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentflow.core.schedule.PredictionType;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every setting of a training run, named as diffusers' training scripts (and LDM's loss configs) name them, with
 * the defaults filled in and every value checked: the one place where a run's rules live. Read from the snake_case
 * JSON of a TrainingRequest; an invalid value fails with an {@link InvalidSettingException} naming the field.
 */
public record TrainingSettings(
        Kind kind,
        boolean trainTextEncoder,
        boolean fromScratch,
        double learningRate,
        LearningRateSchedule.Kind lrScheduler,
        int lrWarmupSteps,
        int trainBatchSize,
        int gradientAccumulationSteps,
        int maxTrainSteps,
        double maxGradNorm,
        double adamBeta1,
        double adamBeta2,
        double adamWeightDecay,
        double adamEpsilon,
        boolean useEma,
        double emaDecay,
        double snrGamma,
        double noiseOffset,
        PredictionType predictionType,
        double conditioningDropoutProb,
        int checkpointingSteps,
        int checkpointsTotalLimit,
        List<String> validationPrompts,
        int validationSteps,
        long seed,
        int resolution,
        int maxTimestep,
        double klWeight,
        long discStart,
        double discWeight,
        AutoencoderLoss.DiscriminatorLossKind discLoss,
        double discFactor,
        int discNumLayers,
        int discNdf,
        double perceptualWeight) {

    /** What a run trains. */
    public enum Kind {
        /** The autoencoder, with its PatchGAN discriminator. */
        VAE,
        /** The UNet (and, when asked, the text encoder) on every timestep. */
        UNET,
        /** A UNet trained only on the low-noise timesteps below max_timestep (SDXL's refiner). */
        REFINER;

        /** Parses vae, unet or refiner. */
        public static Kind parse(String name) {
            for (Kind k : values()) {
                if (k.name().toLowerCase(Locale.ROOT).equals(name)) {
                    return k;
                }
            }
            throw new InvalidSettingException("kind", "must be vae, unet or refiner, not '" + name + "'");
        }

        /** The lower-case name. */
        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The refiner's default bound: SDXL's refiner is trained on the first 200 of 1000 timesteps. */
    public static final int DEFAULT_REFINER_MAX_TIMESTEP = 200;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A setting with an invalid value: which field, and why. */
    public static final class InvalidSettingException extends IllegalArgumentException {
        private final String field;

        public InvalidSettingException(String field, String reason) {
            super(field + ": " + reason);
            this.field = field;
        }

        /** The field's name. */
        public String field() {
            return field;
        }
    }

    /**
     * The settings of a TrainingRequest in its snake_case protobuf JSON form; fields left out take their defaults
     * (the adam betas of vae runs default to LDM's 0.5 and 0.9), {@code trainTimesteps} bounds max_timestep.
     */
    public static TrainingSettings parse(String json, int trainTimesteps) {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (Exception e) {
            throw new InvalidSettingException("request", "not valid JSON: " + e.getMessage());
        }
        if (!(n instanceof ObjectNode)) {
            throw new InvalidSettingException("request", "must be a JSON object");
        }
        Fields f = new Fields(n);
        Kind kind = Kind.parse(f.text("kind", ""));
        if (!f.text("lpips_weights", "").isEmpty()) {
            throw new InvalidSettingException("lpips_weights", "the LPIPS perceptual term is not implemented yet; "
                    + "leave lpips_weights empty (rec_loss is then the L1 term, as with perceptual_weight 0)");
        }
        boolean vae = kind == Kind.VAE;
        int maxTrainSteps = f.integer("max_train_steps", 100);
        int checkpointing = f.integer("checkpointing_steps", 50);
        List<String> prompts = new ArrayList<>();
        n.path("validation_prompts").forEach(p -> prompts.add(p.asText()));
        String prediction = f.text("prediction_type", "");
        PredictionType predictionType;
        try {
            predictionType = prediction.isEmpty() ? null : PredictionType.parse(prediction);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("prediction_type", e.getMessage());
        }
        LearningRateSchedule.Kind scheduler;
        AutoencoderLoss.DiscriminatorLossKind discLoss;
        try {
            scheduler = LearningRateSchedule.Kind.parse(f.text("lr_scheduler", "constant"));
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("lr_scheduler", e.getMessage());
        }
        try {
            discLoss = AutoencoderLoss.DiscriminatorLossKind.parse(f.text("disc_loss", "hinge"));
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("disc_loss", e.getMessage());
        }
        int defaultMaxT = kind == Kind.REFINER ? Math.min(DEFAULT_REFINER_MAX_TIMESTEP, trainTimesteps)
                : trainTimesteps;
        TrainingSettings s = new TrainingSettings(kind,
                n.path("train_text_encoder").asBoolean(false),
                n.path("from_scratch").asBoolean(false),
                f.number("learning_rate", 1e-4),
                scheduler,
                f.integer("lr_warmup_steps", 0),
                f.integer("train_batch_size", 4),
                f.integer("gradient_accumulation_steps", 1),
                maxTrainSteps,
                f.number("max_grad_norm", 1.0),
                f.number("adam_beta1", vae ? 0.5 : 0.9),
                f.number("adam_beta2", vae ? 0.9 : 0.999),
                f.number("adam_weight_decay", vae ? 0.0 : 1e-2),
                f.number("adam_epsilon", 1e-8),
                n.path("use_ema").asBoolean(false),
                f.number("ema_decay", 0.9999),
                f.number("snr_gamma", 0),
                f.number("noise_offset", 0),
                predictionType,
                f.number("conditioning_dropout_prob", 0.1),
                checkpointing,
                f.integer("checkpoints_total_limit", 0),
                List.copyOf(prompts),
                f.integer("validation_steps", checkpointing),
                f.longInteger("seed", 0),
                f.integer("resolution", 64),
                f.integer("max_timestep", defaultMaxT),
                f.number("kl_weight", 1e-6),
                f.longInteger("disc_start", 50001),
                f.number("disc_weight", 0.5),
                discLoss,
                f.number("disc_factor", 1.0),
                f.integer("disc_num_layers", 3),
                f.integer("disc_ndf", 64),
                f.number("perceptual_weight", 1.0));
        s.check(trainTimesteps);
        return s;
    }

    private void check(int trainTimesteps) {
        positive("learning_rate", learningRate);
        atLeast("lr_warmup_steps", lrWarmupSteps, 0);
        atLeast("train_batch_size", trainBatchSize, 1);
        atLeast("gradient_accumulation_steps", gradientAccumulationSteps, 1);
        atLeast("max_train_steps", maxTrainSteps, 1);
        nonNegative("max_grad_norm", maxGradNorm);
        unitInterval("adam_beta1", adamBeta1, false);
        unitInterval("adam_beta2", adamBeta2, false);
        nonNegative("adam_weight_decay", adamWeightDecay);
        positive("adam_epsilon", adamEpsilon);
        unitInterval("ema_decay", emaDecay, true);
        nonNegative("snr_gamma", snrGamma);
        nonNegative("noise_offset", noiseOffset);
        unitInterval("conditioning_dropout_prob", conditioningDropoutProb, true);
        atLeast("checkpointing_steps", checkpointingSteps, 1);
        atLeast("checkpoints_total_limit", checkpointsTotalLimit, 0);
        atLeast("validation_steps", validationSteps, 1);
        if (resolution < 8 || resolution > 4096 || resolution % 8 != 0) {
            throw new InvalidSettingException("resolution", "must be a multiple of 8 in [8, 4096], got " + resolution);
        }
        if (maxTimestep < 1 || maxTimestep > trainTimesteps) {
            throw new InvalidSettingException("max_timestep", "must be in [1, " + trainTimesteps + "], got "
                    + maxTimestep);
        }
        for (int i = 0; i < validationPrompts.size(); i++) {
            if (validationPrompts.get(i).isBlank()) {
                throw new InvalidSettingException("validation_prompts[" + i + "]", "is empty");
            }
        }
        nonNegative("kl_weight", klWeight);
        if (discStart < 0) {
            throw new InvalidSettingException("disc_start", "must be >= 0, got " + discStart);
        }
        nonNegative("disc_weight", discWeight);
        nonNegative("disc_factor", discFactor);
        atLeast("disc_num_layers", discNumLayers, 1);
        atLeast("disc_ndf", discNdf, 1);
        nonNegative("perceptual_weight", perceptualWeight);
        if (kind == Kind.VAE && trainTextEncoder) {
            throw new InvalidSettingException("train_text_encoder", "applies to unet and refiner runs, not vae");
        }
    }

    /**
     * Stops a run whose loss terms stopped being numbers: a NaN or an infinity poisons every weight it reaches
     * (through clipping and Adam), so the run fails at once, naming the step and the term.
     */
    public static void requireFinite(long step, Map<String, Double> losses) {
        for (Map.Entry<String, Double> e : losses.entrySet()) {
            if (!Double.isFinite(e.getValue())) {
                throw new IllegalStateException("training diverged at step " + step + ": " + e.getKey() + " is "
                        + e.getValue() + " (try a lower learning_rate or a later disc_start)");
            }
        }
    }

    /** The learning-rate schedule over the run. */
    public LearningRateSchedule lrSchedule() {
        return new LearningRateSchedule(lrScheduler, lrWarmupSteps, maxTrainSteps);
    }

    /** AdamW settings (decoupled weight decay) of the run. */
    public AdamW.Settings adam() {
        return new AdamW.Settings(adamBeta1, adamBeta2, adamEpsilon, adamWeightDecay, kind != Kind.VAE);
    }

    /** Samples per optimizer step. */
    public int samplesPerStep() {
        return trainBatchSize * gradientAccumulationSteps;
    }

    private static void positive(String field, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new InvalidSettingException(field, "must be > 0, got " + v);
        }
    }

    private static void nonNegative(String field, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new InvalidSettingException(field, "must be >= 0, got " + v);
        }
    }

    private static void atLeast(String field, long v, long min) {
        if (v < min) {
            throw new InvalidSettingException(field, "must be >= " + min + ", got " + v);
        }
    }

    private static void unitInterval(String field, double v, boolean closed) {
        if (!(v >= 0 && (closed ? v <= 1 : v < 1))) {
            throw new InvalidSettingException(field, "must be in [0, 1" + (closed ? "]" : ")") + ", got " + v);
        }
    }

    /** Typed reads of optional JSON fields, failing with the field's name on a wrong type. */
    private record Fields(JsonNode node) {

        double number(String name, double fallback) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                return fallback;
            }
            if (v.isNumber()) {
                return v.asDouble();
            }
            // protobuf JSON writes NaN and infinities as strings
            if (v.isTextual()) {
                try {
                    return Double.parseDouble(v.asText());
                } catch (NumberFormatException e) {
                    throw new InvalidSettingException(name, "must be a number, got '" + v.asText() + "'");
                }
            }
            throw new InvalidSettingException(name, "must be a number, got " + v);
        }

        int integer(String name, int fallback) {
            long v = longInteger(name, fallback);
            if (v != (int) v) {
                throw new InvalidSettingException(name, "is out of range: " + v);
            }
            return (int) v;
        }

        long longInteger(String name, long fallback) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                return fallback;
            }
            // protobuf JSON writes int64 as a string
            if (v.isIntegralNumber() || (v.isTextual() && v.asText().matches("-?\\d+"))) {
                return v.asLong();
            }
            throw new InvalidSettingException(name, "must be an integer, got " + v);
        }

        String text(String name, String fallback) {
            JsonNode v = node.get(name);
            return v == null || v.isNull() || v.asText().isEmpty() ? fallback : v.asText();
        }
    }
}
