package io.latentflow.core.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentflow.core.sampling.Cancellation;
import io.latentflow.core.sampling.NoiseSource;
import io.latentflow.core.sampling.StepListener;

/**
 * Two pipelines sharing one generation, as SDXL base + refiner: either an ensemble of expert denoisers (Balaji et al.
 * 2022, "eDiff-I"; the base runs the high-noise part of the schedule up to denoisingEnd, the refiner continues from
 * the same timestep on the base's latents) or SDEdit (Meng et al. 2021; the refiner re-noises the base's finished
 * latents to a strength and denoises them again).
 */
public final class ExpertEnsemble {
    private final LatentDiffusionPipeline base;
    private final LatentDiffusionPipeline refiner;

    /** The first (high-noise) and second (low-noise) experts, which must share a latent space. */
    public ExpertEnsemble(LatentDiffusionPipeline base, LatentDiffusionPipeline refiner) {
        ModelTraits b = base.traits();
        ModelTraits r = refiner.traits();
        if (r.latentChannels() != b.latentChannels() || r.vaeScaleFactor() != b.vaeScaleFactor()) {
            throw new InvalidGenerationException("refiner", "the refiner has " + r.latentChannels()
                    + "-channel latents at 1/" + r.vaeScaleFactor() + " scale but the base has " + b.latentChannels()
                    + "-channel latents at 1/" + b.vaeScaleFactor() + "; the refiner must continue the base's latents");
        }
        if (r.unet().inChannels() != r.latentChannels()) {
            throw new InvalidGenerationException("refiner", "the refiner has a " + r.unet().inChannels()
                    + "-channel inpainting UNet; use a text-to-image model");
        }
        this.base = base;
        this.refiner = refiner;
    }

    /**
     * Ensemble of experts: the base denoises t >= round(T (1 - split)), the refiner the rest; one noise stream, one
     * step numbering across both.
     *
     * @param split denoising_end of the base = denoising_start of the refiner, in (0, 1)
     */
    public GenerationResult generate(GenerationRequest request, double split, NDManager manager,
                                     StepListener listener, Cancellation cancellation) {
        int total = plannedSteps(request, split);
        NoiseSource noise = request.noiseSource();
        GenerationRequest first = request.forFirstExpert(noise, split, request.resume());
        int baseSteps = base.plannedSteps(first);
        try (NDManager scope = manager.newSubManager()) {
            NDArray latents = baseLatents(first, baseSteps, noise, scope,
                    StepListener.renumbered(listener, 0, total), cancellation);
            GenerationResult result = refiner.generate(request.forSecondExpert(latents, 1.0, split, noise,
                    refinerResume(request, baseSteps)), scope, StepListener.renumbered(listener, baseSteps, total),
                    cancellation);
            return kept(result, manager);
        }
    }

    /**
     * The steps of an ensemble-of-experts run of {@code request} split at {@code split}, both experts' parts together
     * (txt2img: the whole schedule; img2img: its strength window); checks the request first.
     */
    public int plannedSteps(GenerationRequest request, double split) {
        GenerationRules.checkSplit("denoising_end", split);
        refuseMask(request);
        base.plannedSteps(request.forFirstExpert(null, split, null));
        return base.plannedSteps(request.forFirstExpert(null, null, null));
    }

    /**
     * SDEdit refinement: the base's full run, then the refiner as img2img on its latents for the last
     * int(steps * strength) steps of its schedule (diffusers' get_timesteps); one noise stream, one step numbering
     * across both. The strength is checked before the base runs.
     *
     * @param strength how much of the refiner's schedule to run, in (0, 1]
     */
    public GenerationResult refine(GenerationRequest request, double strength, NDManager manager,
                                   StepListener listener, Cancellation cancellation) {
        refuseMask(request);
        NoiseSource noise = request.noiseSource();
        GenerationRequest first = request.forFirstExpert(noise, null, request.resume());
        int baseSteps = base.plannedSteps(first);
        int refinerSteps = refiner.sampler(first).schedule(request.steps()).forStrength(strength).steps();
        if (refinerSteps < 1) {
            throw new InvalidGenerationException("strength", "steps " + request.steps() + " with refiner strength "
                    + strength
                    + " leaves no refining step; raise steps or strength");
        }
        int total = baseSteps + refinerSteps;
        try (NDManager scope = manager.newSubManager()) {
            NDArray latents = baseLatents(first, baseSteps, noise, scope,
                    StepListener.renumbered(listener, 0, total), cancellation);
            GenerationResult result = refiner.generate(request.forSecondExpert(latents, strength, null, noise,
                    refinerResume(request, baseSteps)), scope, StepListener.renumbered(listener, baseSteps, total),
                    cancellation);
            return kept(result, manager);
        }
    }

    private static void refuseMask(GenerationRequest request) {
        if (request.mask() != null) {
            throw new InvalidGenerationException("refiner", "base + refiner does not take a mask: inpaint with the"
                    + " base model alone");
        }
    }

    /**
     * The base's latents: its run, or the resumed latents when the run was interrupted after the base finished (the
     * noise stream then advanced past the base's draws, as the uninterrupted run had it).
     */
    private NDArray baseLatents(GenerationRequest first, int baseSteps, NoiseSource noise, NDManager scope,
                                StepListener listener, Cancellation cancellation) {
        GenerationRequest.Resume resume = first.resume();
        if (resume != null && resume.step() >= baseSteps) {
            if (resume.memory() != null && resume.step() == baseSteps) {
                noise.skip(resume.memory().noiseDraws() - noise.draws(), resume.latents().getShape(), scope);
            }
            return resume.latents();
        }
        return base.generate(first, scope, listener, cancellation).latents();
    }

    /** The refiner resumes when the run was interrupted in its part, after the base's steps. */
    private static GenerationRequest.Resume refinerResume(GenerationRequest request, int baseSteps) {
        GenerationRequest.Resume resume = request.resume();
        if (resume == null || resume.step() <= baseSteps) {
            return null;
        }
        return new GenerationRequest.Resume(resume.step() - baseSteps, resume.latents(), resume.memory());
    }

    private static GenerationResult kept(GenerationResult result, NDManager manager) {
        result.latents().attach(manager);
        if (result.images() != null) {
            result.images().attach(manager);
        }
        return result;
    }
}
