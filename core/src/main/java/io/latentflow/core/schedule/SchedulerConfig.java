package io.latentflow.core.schedule;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A diffusers scheduler configuration (scheduler_config.json) with the defaults of diffusers 0.27.2.
 *
 * <p>Keys missing from the file take the defaults of the scheduler class that reads the configuration, as
 * diffusers' {@code from_config} does: {@link #resolvedFor(String)} re-resolves them for another class, so a DDIM
 * configuration used by Euler keeps its explicit keys and takes Euler's defaults for the rest.
 *
 * @param className            the {@code _class_name} the values were resolved for
 * @param numTrainTimesteps    T, the number of training timesteps
 * @param betaStart            beta_1 of the training schedule
 * @param betaEnd              beta_T of the training schedule
 * @param betaSchedule         linear | scaled_linear | squaredcos_cap_v2 | sigmoid | sqrt_linear | sqrt
 * @param trainedBetas         explicit betas (overrides betaSchedule) or null
 * @param predictionType       what the model predicts
 * @param timestepSpacing      how inference timesteps are spread over [0, T)
 * @param stepsOffset          added to "leading" timesteps
 * @param clipSample           clamp the predicted x0 to [-clipSampleRange, clipSampleRange]
 * @param clipSampleRange      the clamp bound
 * @param setAlphaToOne        DDIM: alphaCumprod before step 0 is 1 (else alphaCumprod[0])
 * @param rescaleBetasZeroSnr  rescale betas to zero terminal SNR (Lin et al. 2023, Algorithm 1)
 * @param varianceType         DDPM: fixed_small | fixed_large
 * @param useKarrasSigmas      sigma-based samplers: Karras et al. 2022 noise levels
 * @param sigmaMin             lower sigma for Karras sigmas (null: from the schedule)
 * @param sigmaMax             upper sigma for Karras sigmas (null: from the schedule)
 * @param solverOrder          DPM-Solver order
 * @param lowerOrderFinal      DPM-Solver: first order on the final steps of short runs
 * @param finalSigmasType      DPM-Solver: zero | sigma_min
 * @param thresholding         dynamic thresholding of the predicted x0 (Saharia et al. 2022, Imagen, sec. 2.3)
 * @param dynamicThresholdingRatio the percentile of |x0| used as threshold
 * @param sampleMaxValue       the largest threshold
 * @param source               the keys given explicitly in the file
 */
public record SchedulerConfig(
        String className,
        int numTrainTimesteps,
        double betaStart,
        double betaEnd,
        String betaSchedule,
        double[] trainedBetas,
        PredictionType predictionType,
        TimestepSpacing timestepSpacing,
        int stepsOffset,
        boolean clipSample,
        double clipSampleRange,
        boolean setAlphaToOne,
        boolean rescaleBetasZeroSnr,
        String varianceType,
        boolean useKarrasSigmas,
        Double sigmaMin,
        Double sigmaMax,
        int solverOrder,
        boolean lowerOrderFinal,
        String finalSigmasType,
        boolean thresholding,
        double dynamicThresholdingRatio,
        double sampleMaxValue,
        Map<String, Object> source) {

    /** Beta schedules understood by {@link NoiseSchedule#of(SchedulerConfig)}. */
    public static final List<String> BETA_SCHEDULES =
            List.of("linear", "scaled_linear", "squaredcos_cap_v2", "sigmoid", "sqrt_linear", "sqrt");

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    private static final Set<String> DDPM_LIKE = Set.of("DDIMScheduler", "DDPMScheduler", "PNDMScheduler", "LMSDiscreteScheduler");

    public SchedulerConfig {
        if (numTrainTimesteps < 1) {
            throw new IllegalArgumentException("num_train_timesteps must be >= 1, got " + numTrainTimesteps);
        }
        if (trainedBetas == null && !BETA_SCHEDULES.contains(betaSchedule)) {
            throw new IllegalArgumentException("beta_schedule '" + betaSchedule + "' is not one of " + BETA_SCHEDULES);
        }
        if (!List.of("fixed_small", "fixed_large").contains(varianceType)) {
            throw new IllegalArgumentException("variance_type '" + varianceType + "' is not one of [fixed_small, fixed_large]");
        }
        if (!List.of("zero", "sigma_min").contains(finalSigmasType)) {
            throw new IllegalArgumentException("final_sigmas_type '" + finalSigmasType + "' is not one of [zero, sigma_min]");
        }
        if (solverOrder < 1 || solverOrder > 2) {
            throw new IllegalArgumentException("solver_order must be 1 or 2, got " + solverOrder);
        }
        source = Map.copyOf(source);
    }

    /** The defaults of diffusers' DDIMScheduler. */
    public static SchedulerConfig defaults() {
        return fromMap(Map.of(), "DDIMScheduler");
    }

    /** Reads a scheduler_config.json. */
    public static SchedulerConfig load(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read scheduler config " + file, e);
        }
    }

    /** Parses the text of a scheduler_config.json. */
    public static SchedulerConfig parse(String json) {
        try {
            Map<String, Object> map = JSON.readValue(json, new TypeReference<Map<String, Object>>() { });
            Object name = map.get("_class_name");
            return fromMap(map, name == null ? "DDIMScheduler" : name.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("scheduler config is not valid JSON: " + e.getMessage(), e);
        }
    }

    /** Builds a configuration from explicit keys, taking the defaults of {@code className} for the others. */
    public static SchedulerConfig fromMap(Map<String, Object> keys, String className) {
        Map<String, Object> explicit = new HashMap<>();
        keys.forEach((k, v) -> {
            if (v != null) {
                explicit.put(k, v);
            }
        });
        boolean ddpmLike = DDPM_LIKE.contains(className);
        Values v = new Values(explicit);
        double[] trained = null;
        if (explicit.get("trained_betas") instanceof List<?> list) {
            trained = list.stream().mapToDouble(o -> ((Number) o).doubleValue()).toArray();
        }
        return new SchedulerConfig(
                className,
                v.integer("num_train_timesteps", 1000),
                v.number("beta_start", 0.0001),
                v.number("beta_end", 0.02),
                v.string("beta_schedule", "linear"),
                trained,
                PredictionType.parse(v.string("prediction_type", "epsilon")),
                TimestepSpacing.parse(v.string("timestep_spacing", ddpmLike ? "leading" : "linspace")),
                v.integer("steps_offset", 0),
                v.bool("clip_sample", ddpmLike),
                v.number("clip_sample_range", 1.0),
                v.bool("set_alpha_to_one", true),
                v.bool("rescale_betas_zero_snr", false),
                v.string("variance_type", "fixed_small"),
                v.bool("use_karras_sigmas", false),
                v.optionalNumber("sigma_min"),
                v.optionalNumber("sigma_max"),
                v.integer("solver_order", 2),
                v.bool("lower_order_final", true),
                v.string("final_sigmas_type", "zero"),
                v.bool("thresholding", false),
                v.number("dynamic_thresholding_ratio", 0.995),
                v.number("sample_max_value", 1.0),
                explicit);
    }

    /** The same explicit keys resolved with the defaults of another scheduler class. */
    public SchedulerConfig resolvedFor(String otherClassName) {
        return otherClassName.equals(className) ? this : fromMap(source, otherClassName);
    }

    /** A copy with some keys replaced (diffusers' {@code from_config(config, **overrides)}). */
    public SchedulerConfig with(Map<String, Object> overrides) {
        Map<String, Object> merged = new HashMap<>(source);
        merged.putAll(overrides);
        return fromMap(merged, className);
    }

    private record Values(Map<String, Object> map) {
        int integer(String key, int fallback) {
            Object o = map.get(key);
            return o instanceof Number n ? n.intValue() : fallback;
        }

        double number(String key, double fallback) {
            Object o = map.get(key);
            return o instanceof Number n ? n.doubleValue() : fallback;
        }

        Double optionalNumber(String key) {
            Object o = map.get(key);
            return o instanceof Number n ? n.doubleValue() : null;
        }

        boolean bool(String key, boolean fallback) {
            Object o = map.get(key);
            return o instanceof Boolean b ? b : fallback;
        }

        String string(String key, String fallback) {
            Object o = map.get(key);
            return o == null ? fallback : o.toString();
        }
    }
}
