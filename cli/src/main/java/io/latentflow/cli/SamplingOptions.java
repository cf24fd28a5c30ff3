package io.latentflow.cli;

import io.latentflow.core.pipeline.GenerationRules;
import io.latentflow.core.sampling.SamplerOptions;
import io.latentflow.proto.GenerationRequest;
import picocli.CommandLine.Option;

/**
 * What to draw and how to sample it, the options shared by {@code generate} (in this JVM) and {@code submit} and
 * {@code demo} (a job through the services). Options left out keep core's defaults, which a job's orchestrator
 * applies as well, so the same options give the same image both ways.
 */
public final class SamplingOptions {

    @Option(names = {"-p", "--prompt"}, description = "what to draw")
    String prompt;

    @Option(names = {"-n", "--negative-prompt"}, description = "what to steer away from (absent and \"\" differ for SDXL)")
    String negativePrompt;

    @Option(names = {"-W", "--width"}, description = "pixels, a multiple of the model's VAE factor (default: the init image's, else the model's)")
    Integer width;

    @Option(names = {"-H", "--height"}, description = "pixels, a multiple of the model's VAE factor (default: the init image's, else the model's)")
    Integer height;

    @Option(names = {"-s", "--steps"}, description = "sampling steps (default " + GenerationRules.DEFAULT_STEPS + ")")
    Integer steps;

    @Option(names = "--sampler", description = "ddim, ddpm, euler, euler-a, dpmpp-2m (default: the model's scheduler)")
    String sampler;

    @Option(names = "--karras", description = "Karras sigmas (euler, dpmpp-2m)")
    boolean karras;

    @Option(names = "--eta", description = "DDIM eta (default 0)")
    Float eta;

    @Option(names = {"-g", "--guidance"}, description = "classifier-free guidance scale (default "
        + GenerationRules.DEFAULT_GUIDANCE_SCALE + "; <= 1 disables it)")
    Float guidance;

    @Option(names = "--guidance-rescale", description = "guidance rescale factor in [0, 1] (default 0)")
    Float guidanceRescale;

    @Option(names = "--seed", description = "random seed (default: drawn at random and reported)")
    Long seed;

    @Option(names = "--strength", description = "img2img: fraction of the schedule to run on the init image, (0, 1]"
        + " (default " + GenerationRules.DEFAULT_STRENGTH + "; " + GenerationRules.DEFAULT_INPAINTING_STRENGTH
        + " with --mask)")
    Float strength;

    @Option(names = "--denoising-end", description = "with --refiner: fraction of the schedule the base model runs,"
        + " in (0, 1) (default " + GenerationRules.DEFAULT_DENOISING_END + ")")
    Float denoisingEnd;

    /** The prompt, or null when not given. */
    public String prompt() {
        return prompt;
    }

    /** The seed, or null when not given. */
    public Long seed() {
        return seed;
    }

    /** Sets the options given on a job request; the others are left out, so the orchestrator's defaults apply. */
    void applyTo(GenerationRequest.Builder request) {
        if (prompt != null) {
            request.setPrompt(prompt);
        }
        if (negativePrompt != null) {
            request.setNegativePrompt(negativePrompt);
        }
        if (width != null) {
            request.setWidth(width);
        }
        if (height != null) {
            request.setHeight(height);
        }
        if (steps != null) {
            request.setSteps(steps);
        }
        if (sampler != null) {
            request.setSampler(sampler);
        }
        if (guidance != null) {
            request.setGuidanceScale(guidance);
        }
        if (guidanceRescale != null) {
            request.setGuidanceRescale(guidanceRescale);
        }
        if (eta != null) {
            request.setEta(eta);
        }
        if (seed != null) {
            request.setSeed(seed);
        }
        if (strength != null) {
            request.setStrength(strength);
        }
        if (denoisingEnd != null) {
            request.setDenoisingEnd(denoisingEnd);
        }
        request.setKarras(karras);
    }

    /**
     * The in-process request of these options with {@code seed}, core's defaults for the ones not given (no size:
     * the model's).
     */
    public io.latentflow.core.pipeline.GenerationRequest.Builder toCore(long seed) {
        io.latentflow.core.pipeline.GenerationRequest.Builder request =
                io.latentflow.core.pipeline.GenerationRequest.builder(prompt)
                        .negativePrompt(negativePrompt)
                        .size(width == null ? 0 : width, height == null ? 0 : height)
                        .sampler(sampler)
                        .samplerOptions(new SamplerOptions(eta == null ? 0 : eta, karras ? Boolean.TRUE : null))
                        .seeds(seed);
        if (steps != null) {
            request.steps(steps);
        }
        if (guidance != null) {
            request.guidance(guidance);
        }
        if (guidanceRescale != null) {
            request.guidanceRescale(guidanceRescale);
        }
        return request;
    }

    /** The img2img strength given, or core's default for a job with or without a mask. */
    public double strength(boolean inpainting) {
        return strength != null ? strength : GenerationRules.defaultStrength(inpainting);
    }

    /** The base/refiner split given, or core's default. */
    public double denoisingEnd() {
        return denoisingEnd != null ? denoisingEnd : GenerationRules.DEFAULT_DENOISING_END;
    }
}
