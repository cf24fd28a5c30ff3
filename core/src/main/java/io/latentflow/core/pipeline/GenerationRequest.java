package io.latentflow.core.pipeline;

import ai.djl.ndarray.NDArray;
import io.latentflow.core.sampling.NoiseSource;
import io.latentflow.core.sampling.SamplerMemory;
import io.latentflow.core.sampling.SamplerOptions;

import java.util.List;

/**
 * Everything one in-process generation needs; validated before any model work.
 *
 * @param prompts                 one prompt per image, or one for all images
 * @param negativePrompts         null when absent (SDXL with force_zeros_for_empty_prompt then uses zero embeddings);
 *                                "" is an explicit empty negative prompt
 * @param widthPx                 image width (0: the UNet's sample size times the VAE factor)
 * @param heightPx                image height (0: likewise)
 * @param steps                   number of inference steps before strength / denoising windows, >= 1
 * @param sampler                 ddim | ddpm | euler | euler-a | dpmpp-2m, or null for the pipeline's scheduler
 * @param samplerOptions          eta and Karras sigmas
 * @param guidanceScale           classifier-free guidance scale; guidance runs when > 1
 * @param guidanceRescale         guidance_rescale in [0, 1]
 * @param seeds                   one seed per image (ignored when {@code noise} is given)
 * @param noise                   an explicit noise source (recorded noise), or null
 * @param initialLatents          txt2img starting latents (B, C, h, w) before init_noise_sigma scaling, or null
 * @param initImage               img2img / inpainting image (1 or B, 3, H, W) in [-1, 1], or latents (1 or B, 4, h, w)
 * @param strength                img2img / inpainting strength in (0, 1]
 * @param mask                    inpainting mask (1 or B, 1, H, W) in {0, 1}, 1 = repaint, or null
 * @param denoisingEnd            first expert: stop at this fraction of the noise range, in (0, 1), or null
 * @param denoisingStart          second expert: start at this fraction, in (0, 1), or null (needs initImage latents)
 * @param originalSize            SDXL micro-conditioning (height, width), or null for the output size
 * @param cropsCoordsTopLeft      SDXL micro-conditioning (top, left)
 * @param targetSize              SDXL micro-conditioning (height, width), or null for the output size
 * @param aestheticScore          SDXL refiner conditioning of the prompt
 * @param negativeAestheticScore  SDXL refiner conditioning of the negative prompt
 * @param decode                  decode the final latents to images (false: latents only)
 * @param resume                  continue an interrupted run from its recorded latents, or null
 */
public record GenerationRequest(
        List<String> prompts,
        List<String> negativePrompts,
        int widthPx,
        int heightPx,
        int steps,
        String sampler,
        SamplerOptions samplerOptions,
        float guidanceScale,
        float guidanceRescale,
        long[] seeds,
        NoiseSource noise,
        NDArray initialLatents,
        NDArray initImage,
        double strength,
        NDArray mask,
        Double denoisingEnd,
        Double denoisingStart,
        int[] originalSize,
        int[] cropsCoordsTopLeft,
        int[] targetSize,
        double aestheticScore,
        double negativeAestheticScore,
        boolean decode,
        Resume resume) {

    /**
     * Where an interrupted run continues: after {@code step} of its steps, from the latents recorded then. The start
     * is prepared as usual (the same noise draws, the same inpainting blend), then replaced by these latents; with the
     * sampler's memory of that step (null: none kept) multistep and ancestral samplers continue exactly.
     */
    public record Resume(int step, NDArray latents, SamplerMemory memory) {
    }

    public GenerationRequest {
        if (prompts == null || prompts.isEmpty()) {
            throw new InvalidGenerationException("prompt", "is required");
        }
        samplerOptions = samplerOptions == null ? SamplerOptions.defaults() : samplerOptions;
        GenerationRules.checkSteps(steps);
        GenerationRules.checkSampler(sampler, samplerOptions.eta(), Boolean.TRUE.equals(samplerOptions.karras()));
        GenerationRules.checkGuidance(guidanceScale, guidanceRescale);
        GenerationRules.checkStrength(strength);
        if (denoisingEnd != null) {
            GenerationRules.checkSplit("denoising_end", denoisingEnd);
        }
        if (denoisingStart != null) {
            GenerationRules.checkSplit("denoising_start", denoisingStart);
            if (initImage == null) {
                throw new InvalidGenerationException("denoising_start",
                        "needs init latents (the first expert's output)");
            }
        }
        if (resume != null && (resume.step() < 1 || resume.latents() == null)) {
            throw new IllegalArgumentException("resume needs a step >= 1 and its latents");
        }
        GenerationRules.checkMask(mask != null, initImage != null);
        if (widthPx < 0 || heightPx < 0) {
            throw new InvalidGenerationException(widthPx < 0 ? "width" : "height",
                    "must be >= 0 (0: the model's default)");
        }
        if (seeds == null || seeds.length == 0) {
            seeds = new long[] {0};
        }
        if (prompts.size() != 1 && prompts.size() != seeds.length && noise == null) {
            throw new InvalidGenerationException("prompt", prompts.size() + " prompts for " + seeds.length
                    + " seeds");
        }
        if (negativePrompts != null && negativePrompts.size() != 1 && negativePrompts.size() != prompts.size()) {
            throw new InvalidGenerationException("negative_prompt", "give one, or one per prompt");
        }
        prompts = List.copyOf(prompts);
        negativePrompts = negativePrompts == null ? null : List.copyOf(negativePrompts);
        cropsCoordsTopLeft = cropsCoordsTopLeft == null ? new int[] {0, 0} : cropsCoordsTopLeft;
    }

    /** A builder with {@link GenerationRules}' defaults (steps, guidance, strength) and seed 0. */
    public static Builder builder(String prompt) {
        return new Builder(List.of(prompt));
    }

    /** A builder for several prompts, one per image. */
    public static Builder builder(List<String> prompts) {
        return new Builder(prompts);
    }

    /** The explicit noise source, or a fresh stream seeded with {@link #seeds()}. */
    NoiseSource noiseSource() {
        return noise != null ? noise : NoiseSource.seeded(seeds);
    }

    /**
     * The first expert's copy: {@code sharedNoise}, stopping at {@code denoisingEnd} (null: the full run), no decode,
     * resumed at {@code resume} (or null).
     */
    GenerationRequest forFirstExpert(NoiseSource sharedNoise, Double denoisingEnd, Resume resume) {
        return new GenerationRequest(prompts, negativePrompts, widthPx, heightPx, steps, sampler, samplerOptions,
                guidanceScale, guidanceRescale, seeds, sharedNoise, initialLatents, initImage, strength, mask,
                denoisingEnd, null, originalSize, cropsCoordsTopLeft, targetSize, aestheticScore,
                negativeAestheticScore, false, resume);
    }

    /**
     * The second expert's copy: it continues from the first expert's {@code latents} at {@code strength} or from
     * {@code denoisingStart} (null: by strength), with the noise stream the first expert left, and decodes when this
     * request does; resumed at {@code resume} (or null).
     */
    GenerationRequest forSecondExpert(NDArray latents, double strength, Double denoisingStart,
                                      NoiseSource continuedNoise, Resume resume) {
        return new GenerationRequest(prompts, negativePrompts, widthPx, heightPx, steps, sampler, samplerOptions,
                guidanceScale, guidanceRescale, seeds, continuedNoise, null, latents, strength, null, null,
                denoisingStart, originalSize, cropsCoordsTopLeft, targetSize, aestheticScore, negativeAestheticScore,
                decode, resume);
    }

    /** Builds a {@link GenerationRequest}. */
    public static final class Builder {
        private final List<String> prompts;
        private List<String> negativePrompts;
        private int widthPx;
        private int heightPx;
        private int steps = GenerationRules.DEFAULT_STEPS;
        private String sampler;
        private SamplerOptions samplerOptions = SamplerOptions.defaults();
        private float guidanceScale = GenerationRules.DEFAULT_GUIDANCE_SCALE;
        private float guidanceRescale;
        private long[] seeds = {0};
        private NoiseSource noise;
        private NDArray initialLatents;
        private NDArray initImage;
        private Double strength;
        private NDArray mask;
        private Double denoisingEnd;
        private Double denoisingStart;
        private int[] originalSize;
        private int[] cropsCoordsTopLeft = {0, 0};
        private int[] targetSize;
        private double aestheticScore = 6.0;
        private double negativeAestheticScore = 2.5;
        private boolean decode = true;
        private Resume resume;

        private Builder(List<String> prompts) {
            this.prompts = prompts;
        }

        public Builder negativePrompt(String negative) {
            this.negativePrompts = negative == null ? null : List.of(negative);
            return this;
        }

        public Builder negativePrompts(List<String> negatives) {
            this.negativePrompts = negatives;
            return this;
        }

        public Builder size(int widthPx, int heightPx) {
            this.widthPx = widthPx;
            this.heightPx = heightPx;
            return this;
        }

        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        public Builder sampler(String sampler) {
            this.sampler = sampler;
            return this;
        }

        public Builder samplerOptions(SamplerOptions options) {
            this.samplerOptions = options;
            return this;
        }

        public Builder guidance(float scale) {
            this.guidanceScale = scale;
            return this;
        }

        public Builder guidanceRescale(float rescale) {
            this.guidanceRescale = rescale;
            return this;
        }

        public Builder seeds(long... seeds) {
            this.seeds = seeds;
            return this;
        }

        public Builder noise(NoiseSource noise) {
            this.noise = noise;
            return this;
        }

        public Builder initialLatents(NDArray latents) {
            this.initialLatents = latents;
            return this;
        }

        public Builder initImage(NDArray image, double strength) {
            this.initImage = image;
            this.strength = strength;
            return this;
        }

        public Builder mask(NDArray mask) {
            this.mask = mask;
            return this;
        }

        public Builder denoisingEnd(Double end) {
            this.denoisingEnd = end;
            return this;
        }

        public Builder denoisingStart(Double start) {
            this.denoisingStart = start;
            return this;
        }

        public Builder micro(int[] originalSize, int[] cropsCoordsTopLeft, int[] targetSize) {
            this.originalSize = originalSize;
            this.cropsCoordsTopLeft = cropsCoordsTopLeft;
            this.targetSize = targetSize;
            return this;
        }

        public Builder aestheticScores(double score, double negativeScore) {
            this.aestheticScore = score;
            this.negativeAestheticScore = negativeScore;
            return this;
        }

        public Builder decode(boolean decode) {
            this.decode = decode;
            return this;
        }

        /** Continue after {@code step} steps from {@code latents} (a checkpoint of an interrupted run). */
        public Builder resume(int step, NDArray latents) {
            return resume(step, latents, null);
        }

        /** Continues after {@code step} from its latents and the sampler's memory of that step. */
        public Builder resume(int step, NDArray latents, SamplerMemory memory) {
            this.resume = step > 0 ? new Resume(step, latents, memory) : null;
            return this;
        }

        public GenerationRequest build() {
            double s = strength != null ? strength : GenerationRules.defaultStrength(mask != null);
            return new GenerationRequest(prompts, negativePrompts, widthPx, heightPx, steps, sampler, samplerOptions,
                    guidanceScale, guidanceRescale, seeds, noise, initialLatents, initImage, s, mask, denoisingEnd,
                    denoisingStart, originalSize, cropsCoordsTopLeft, targetSize, aestheticScore,
                    negativeAestheticScore, decode, resume);
        }
    }
}
