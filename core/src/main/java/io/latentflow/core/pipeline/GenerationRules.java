package io.latentflow.core.pipeline;

import io.latentflow.core.sampling.Samplers;

import java.util.List;

/**
 * The defaults of a generation and the range and combination checks of its options, in one place for every front
 * end (the CLI, Kafka and gRPC jobs); each check throws an {@link InvalidGenerationException} naming the option.
 */
public final class GenerationRules {

    /** Sampling steps when a request gives none. */
    public static final int DEFAULT_STEPS = 30;
    /** Classifier-free guidance scale when a request gives none (guidance runs above 1). */
    public static final float DEFAULT_GUIDANCE_SCALE = 7.5f;
    /** img2img strength when a request gives none (diffusers' default). */
    public static final double DEFAULT_STRENGTH = 0.8;
    /** Inpainting strength when a request gives none: the masked region starts from pure noise. */
    public static final double DEFAULT_INPAINTING_STRENGTH = 1.0;
    /** The base's share of the schedule when a refiner is named without denoising_end. */
    public static final double DEFAULT_DENOISING_END = 0.8;
    /** Samplers that can run on Karras sigmas. */
    public static final List<String> KARRAS_SAMPLERS = List.of("euler", "dpmpp-2m");

    private GenerationRules() {
    }

    /** The strength a request without one gets. */
    public static double defaultStrength(boolean inpainting) {
        return inpainting ? DEFAULT_INPAINTING_STRENGTH : DEFAULT_STRENGTH;
    }

    public static void checkSteps(int steps) {
        require(steps >= 1, "steps", "must be >= 1, got " + steps);
    }

    /**
     * A sampler name (null: the model's scheduler) with its options: eta in [0, 1] for DDIM only (Song et al. 2020,
     * eq. 16), Karras sigmas for {@link #KARRAS_SAMPLERS} only.
     */
    public static void checkSampler(String sampler, double eta, boolean karras) {
        require(sampler == null || Samplers.NAMES.contains(sampler), "sampler",
                "unknown sampler '" + sampler + "', expected one of " + String.join(", ", Samplers.NAMES));
        require(Double.isFinite(eta) && eta >= 0 && eta <= 1, "eta", "must be in [0, 1], got " + eta);
        String named = sampler == null ? "the model's default sampler (name one)" : sampler;
        require(eta == 0 || "ddim".equals(sampler), "eta",
                "applies to sampler ddim only, got eta " + eta + " with " + named);
        require(!karras || KARRAS_SAMPLERS.contains(sampler), "karras",
                "Karras sigmas apply to samplers " + String.join(", ", KARRAS_SAMPLERS) + " only, not " + named);
    }

    public static void checkGuidance(double scale, double rescale) {
        require(Double.isFinite(scale) && scale >= 0, "guidance_scale", "must be a finite number >= 0, got " + scale);
        require(Double.isFinite(rescale) && rescale >= 0 && rescale <= 1, "guidance_rescale",
                "must be in [0, 1], got " + rescale);
    }

    public static void checkStrength(double strength) {
        require(Double.isFinite(strength) && strength > 0 && strength <= 1, "strength",
                "must be in (0, 1], got " + strength);
    }

    /** denoising_end of a base, or denoising_start of a refiner ({@code field}): a fraction in (0, 1). */
    public static void checkSplit(String field, double split) {
        require(Double.isFinite(split) && split > 0 && split < 1, field, "must be in (0, 1), got " + split);
    }

    /** An inpainting mask needs the image it repaints. */
    public static void checkMask(boolean hasMask, boolean hasInitImage) {
        require(!hasMask || hasInitImage, "mask", "inpainting needs init_image as well");
    }

    /** Image sides must be whole latent cells of the VAE, which downsamples by {@code factor}. */
    public static void checkSize(String field, int sizePx, int factor) {
        require(sizePx % factor == 0, field,
                "must be a multiple of " + factor + " (the VAE's downsampling factor), got " + sizePx);
    }

    /** A width or height given (> 0) beside a start image or latents must be theirs. */
    public static void checkGivenSize(String field, int givenPx, int startPx, String start) {
        require(givenPx <= 0 || givenPx == startPx, field, "is " + givenPx + " but " + start + " is " + startPx
                + " pixels; leave " + field + " out or give " + startPx);
    }

    /** The mask covers the picture pixel for pixel. */
    public static void checkMaskSize(int maskWidthPx, int maskHeightPx, int widthPx, int heightPx) {
        require(maskWidthPx == widthPx && maskHeightPx == heightPx, "mask", "is " + maskWidthPx + "x" + maskHeightPx
                + " pixels but the image is " + widthPx + "x" + heightPx);
    }

    private static void require(boolean condition, String field, String reason) {
        if (!condition) {
            throw new InvalidGenerationException(field, reason);
        }
    }
}
