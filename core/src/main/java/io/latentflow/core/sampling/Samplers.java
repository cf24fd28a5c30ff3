package io.latentflow.core.sampling;

import io.latentflow.core.schedule.SchedulerConfig;

import java.util.List;

/** Creates samplers by name: ddim, ddpm, euler, euler-a, dpmpp-2m. */
public final class Samplers {
    /** The names {@link #create} accepts. */
    public static final List<String> NAMES = List.of("ddim", "ddpm", "euler", "euler-a", "dpmpp-2m");

    private Samplers() {
    }

    /** A sampler with default options (eta 0, the configuration's Karras setting). */
    public static Sampler create(String name, SchedulerConfig config) {
        return create(name, config, SamplerOptions.defaults());
    }

    /**
     * A sampler of the given name reading the scheduler configuration as diffusers' {@code from_config} of the
     * matching scheduler class would; fails naming the option and the allowed values when an option does not apply.
     */
    public static Sampler create(String name, SchedulerConfig config, SamplerOptions options) {
        if (name == null || !NAMES.contains(name)) {
            throw new IllegalArgumentException("sampler '" + name + "' is not one of " + NAMES);
        }
        boolean karrasCapable = name.equals("euler") || name.equals("dpmpp-2m");
        if (Boolean.TRUE.equals(options.karras()) && !karrasCapable) {
            throw new IllegalArgumentException("karras sigmas are not supported by sampler '" + name
                    + "'; samplers with karras: [euler, dpmpp-2m]");
        }
        if (options.eta() > 0 && !name.equals("ddim")) {
            throw new IllegalArgumentException("eta applies to sampler 'ddim' only, got eta " + options.eta()
                    + " for sampler '" + name + "'");
        }
        Sampler sampler = switch (name) {
            case "ddim" -> new DdimSampler(config.resolvedFor("DDIMScheduler"), options.eta());
            case "ddpm" -> new DdpmSampler(config.resolvedFor("DDPMScheduler"));
            case "euler" -> {
                SchedulerConfig c = config.resolvedFor("EulerDiscreteScheduler");
                yield new EulerSampler(c, options.karras() != null ? options.karras() : c.useKarrasSigmas());
            }
            case "euler-a" -> new EulerAncestralSampler(config.resolvedFor("EulerAncestralDiscreteScheduler"));
            case "dpmpp-2m" -> {
                SchedulerConfig c = config.resolvedFor("DPMSolverMultistepScheduler");
                yield new DpmSolverMultistepSampler(c, options.karras() != null ? options.karras() : c.useKarrasSigmas());
            }
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
