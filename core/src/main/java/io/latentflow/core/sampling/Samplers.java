package io.latentflow.core.sampling;

import io.latentflow.core.schedule.SchedulerConfig;

import java.util.List;
import java.util.Map;

/** Creates samplers by name: ddim, ddpm, euler, euler-a, dpmpp-2m. */
public final class Samplers {
    /** The names {@link #create} accepts. */
    public static final List<String> NAMES = List.of("ddim", "ddpm", "euler", "euler-a", "dpmpp-2m");

    /** The diffusers scheduler class whose defaults and semantics each sampler follows. */
    private static final Map<String, String> SCHEDULER_CLASSES = Map.of(
            "ddim", "DDIMScheduler",
            "ddpm", "DDPMScheduler",
            "euler", "EulerDiscreteScheduler",
            "euler-a", "EulerAncestralDiscreteScheduler",
            "dpmpp-2m", "DPMSolverMultistepScheduler");

    private Samplers() {
    }

    /** The sampler following the diffusers scheduler class {@code schedulerClassName}; ddim for any other class. */
    public static String forSchedulerClass(String schedulerClassName) {
        return SCHEDULER_CLASSES.entrySet().stream()
                .filter(e -> e.getValue().equals(schedulerClassName))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElse("ddim");
    }

    /** A sampler with default options (eta 0, the configuration's Karras setting). */
    public static Sampler create(String name, SchedulerConfig config) {
        return create(name, config, SamplerOptions.defaults());
    }

    /**
     * A sampler of the given name reading the scheduler configuration as diffusers' {@code from_config} of the
     * matching scheduler class would; fails when it cannot serve the configuration's prediction type. Whether eta and
     * Karras sigmas apply to a sampler is a request rule (GenerationRules in the pipeline package).
     */
    public static Sampler create(String name, SchedulerConfig config, SamplerOptions options) {
        if (name == null || !NAMES.contains(name)) {
            throw new IllegalArgumentException("sampler '" + name + "' is not one of " + NAMES);
        }
        SchedulerConfig resolved = config.resolvedFor(SCHEDULER_CLASSES.get(name));
        boolean karras = options.karras() != null ? options.karras() : resolved.useKarrasSigmas();
        Sampler sampler = switch (name) {
            case "ddim" -> new DdimSampler(resolved, options.eta());
            case "ddpm" -> new DdpmSampler(resolved);
            case "euler" -> new EulerSampler(resolved, karras);
            case "euler-a" -> new EulerAncestralSampler(resolved);
            case "dpmpp-2m" -> new DpmSolverMultistepSampler(resolved, karras);
            default -> throw new IllegalStateException(name);
        };
        if (!sampler.supportedPredictionTypes().contains(sampler.config().predictionType())) {
            throw new IllegalArgumentException("sampler '" + name + "' does not support prediction_type '"
                    + sampler.config().predictionType().configName() + "'; it supports "
                    + sampler.supportedPredictionTypes().stream().map(p -> p.configName()).toList());
        }
        return sampler;
    }
}
