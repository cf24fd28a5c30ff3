package io.latentflow.core.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.image.ImageTensors;
import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.sampling.Cancellation;
import io.latentflow.core.sampling.Denoiser;
import io.latentflow.core.sampling.NoiseSource;
import io.latentflow.core.sampling.Sampler;
import io.latentflow.core.sampling.Samplers;
import io.latentflow.core.sampling.StepListener;
import io.latentflow.core.schedule.Schedule;
import io.latentflow.core.schedule.SchedulerConfig;
import io.latentflow.core.text.PromptEmbeddings;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A Stable Diffusion (1.x, 2.x, XL base or refiner) pipeline: prompts in, images out, with txt2img, img2img,
 * inpainting (4- and 9-channel UNets) and the ensemble-of-experts second stage, as diffusers 0.27.2 pipelines compute
 * them. It runs on three ports, a {@link TextConditioner}, a {@link DenoiserFactory} and a {@link LatentCodec}, so
 * the same steps run in one JVM ({@link #load}) and across the services.
 */
public final class LatentDiffusionPipeline implements AutoCloseable {
    private final ModelTraits traits;
    private final TextConditioner text;
    private final DenoiserFactory denoisers;
    private final LatentCodec codec;
    private final AutoCloseable resources;

    /**
     * A pipeline over the given ports.
     *
     * @param resources closed with the pipeline (the loaded models), or null
     */
    public LatentDiffusionPipeline(ModelTraits traits, TextConditioner text, DenoiserFactory denoisers,
                                   LatentCodec codec, AutoCloseable resources) {
        this.traits = traits;
        this.text = text;
        this.denoisers = denoisers;
        this.codec = codec;
        this.resources = resources;
    }

    /** Loads the text encoder(s), UNet, VAE and scheduler configuration of a diffusers pipeline folder. */
    public static LatentDiffusionPipeline load(Path dir, ModelOptions options) {
        return of(LocalModel.load(dir, options));
    }

    /** A pipeline over a model loaded in this JVM; closing the pipeline closes the model. */
    public static LatentDiffusionPipeline of(LocalModel model) {
        return new LatentDiffusionPipeline(model.traits(), model.text(), model.denoisers(), model.codec(), model);
    }

    /** Images (B, 3, H, W) in [0, 1] of scaled latents (or of a step's predicted x0), through the VAE. */
    public NDArray decodeImages(NDArray latents) {
        return ImageTensors.postprocess(codec.decode(latents));
    }

    /** The model's scheduler, shapes and flags. */
    public ModelTraits traits() {
        return traits;
    }

    /** The sampler a request gets: its own choice, or the one matching the folder's scheduler class. */
    public Sampler sampler(GenerationRequest request) {
        SchedulerConfig scheduler = traits.scheduler();
        String name = traits.samplerName(request.sampler());
        try {
            return Samplers.create(name, scheduler, request.samplerOptions());
        } catch (IllegalArgumentException e) {
            // a sampler that cannot serve this model (its prediction type)
            throw new InvalidGenerationException("sampler", e.getMessage());
        }
    }

    /**
     * The number of denoising steps {@code request} runs on this model, after its strength and denoising windows;
     * checks every option against the model first (an {@link InvalidGenerationException} names the one at fault).
     */
    public int plannedSteps(GenerationRequest request) {
        return plan(request).schedule.steps();
    }

    /** The shape of the latents {@code request} runs on: (images, latent channels, height / f, width / f). */
    public long[] plannedLatentShape(GenerationRequest request) {
        Plan plan = plan(request);
        return new long[] {plan.batch, traits.latentChannels(), plan.latentH, plan.latentW};
    }

    /** Generates without progress reporting or cancellation. */
    public GenerationResult generate(GenerationRequest request, NDManager manager) {
        return generate(request, manager, StepListener.NONE, Cancellation.NONE);
    }

    /**
     * Runs one generation; the results are attached to {@code manager}, every intermediate array is freed.
     * Options are validated (sampler, prediction type, sizes, strength window) before any model evaluation.
     */
    public GenerationResult generate(GenerationRequest request, NDManager manager, StepListener listener,
                                     Cancellation cancellation) {
        Plan plan = plan(request);
        try (NDManager scope = manager.newSubManager()) {
            NoiseSource noise = request.noiseSource();
            int batch = plan.batch;
            // 1. text conditioning, unconditional half first
            Conditioning cond = encodePrompts(request, batch, plan, scope);
            // 2. starting latents and, for inpainting, the known region
            Start start = prepareLatents(request, plan, noise, scope);
            Denoiser denoiser = denoisers.denoiser(cond.with(start.extraChannels(), request));
            // 3. the denoising loop, or what is left of it after a resumed step
            NDArray latents = denoise(request.resume(), plan, denoiser, start, noise, listener, cancellation, scope);
            NDArray images = null;
            if (request.decode()) {
                cancellation.throwIfCancelled();
                images = decodeImages(latents);
                images.attach(manager);
            }
            latents.attach(manager);
            return new GenerationResult(images, latents);
        }
    }

    private static NDArray denoise(GenerationRequest.Resume resume, Plan plan, Denoiser denoiser, Start start,
                                   NoiseSource noise, StepListener listener, Cancellation cancellation,
                                   NDManager scope) {
        Schedule schedule = plan.schedule;
        if (resume == null) {
            return plan.sampler.sample(denoiser, start.latents, schedule, noise, listener, cancellation, start.blend);
        }
        int done = resume.step();
        int total = schedule.steps();
        if (done > total) {
            throw new IllegalArgumentException("resume after step " + done + " of a run of " + total + " steps");
        }
        NDArray latents = resume.latents().duplicate();
        latents.attach(scope);
        if (done == total) {
            return latents;
        }
        StepListener shifted = StepListener.renumbered(listener, done, total);
        Schedule rest = schedule.window(schedule.beginIndex() + done, schedule.endIndex());
        return resume.memory() == null
                ? plan.sampler.sample(denoiser, latents, rest, noise, shifted, cancellation, start.blend)
                : plan.sampler.resume(denoiser, latents, rest, noise, shifted, cancellation, start.blend,
                        resume.memory());
    }

    /** Scaled latents of images in [-1, 1], the posterior sampled with the next draw of {@code noise}. */
    private NDArray encode(NDArray images, NoiseSource noise, Shape latentShape) {
        return codec.encode(images, noise.next(latentShape, images.getManager()));
    }

    private record Plan(Sampler sampler, Schedule schedule, int batch, int widthPx, int heightPx, int latentH,
                        int latentW, boolean inpaint) {
    }

    private Plan plan(GenerationRequest request) {
        Sampler sampler = sampler(request);
        int factor = traits.vaeScaleFactor();
        Integer sampleSize = traits.unet().sampleSize();
        int defaultSize = sampleSize != null ? sampleSize * factor : 64 * factor;
        // a start image or starting latents fix the size; a width or height given must agree with them
        NDArray start = request.initImage() != null ? request.initImage() : request.initialLatents();
        int heightPx;
        int widthPx;
        if (start != null) {
            int scale = start.getShape().get(1) == 3 ? 1 : factor;
            heightPx = (int) start.getShape().get(2) * scale;
            widthPx = (int) start.getShape().get(3) * scale;
            String what = request.initImage() != null ? "the init image" : "the initial latents";
            GenerationRules.checkGivenSize("width", request.widthPx(), widthPx, what);
            GenerationRules.checkGivenSize("height", request.heightPx(), heightPx, what);
        } else {
            heightPx = request.heightPx() > 0 ? request.heightPx() : defaultSize;
            widthPx = request.widthPx() > 0 ? request.widthPx() : defaultSize;
        }
        GenerationRules.checkSize("width", widthPx, factor);
        GenerationRules.checkSize("height", heightPx, factor);
        if (request.mask() != null) {
            GenerationRules.checkMaskSize((int) request.mask().getShape().get(3),
                    (int) request.mask().getShape().get(2), widthPx, heightPx);
        }
        boolean inpaint = request.mask() != null;
        int inChannels = traits.unet().inChannels();
        int latentChannels = traits.latentChannels();
        if (inpaint && inChannels != latentChannels && inChannels != 2 * latentChannels + 1) {
            throw new InvalidGenerationException("mask", "inpainting needs a UNet with " + latentChannels + " or "
                    + (2 * latentChannels + 1) + " input channels, this one has " + inChannels);
        }
        if (!inpaint && inChannels != latentChannels) {
            throw new InvalidGenerationException("mask", "this UNet has " + inChannels
                    + " input channels (an inpainting model):"
                    + " give an init image and a mask");
        }
        Schedule schedule = scheduleWithinTraining(sampler, request.steps());
        if (request.denoisingStart() != null) {
            schedule = schedule.from(request.denoisingStart());
        } else if (request.initImage() != null) {
            schedule = schedule.forStrength(request.strength());
        }
        if (request.denoisingEnd() != null) {
            schedule = schedule.until(request.denoisingEnd());
        }
        if (schedule.steps() < 1) {
            throw new InvalidGenerationException("strength", "steps " + request.steps() + " with strength "
                    + request.strength()
                    + " leaves no denoising step; raise steps or strength");
        }
        int batch = request.noise() != null && request.prompts().size() == 1
                ? batchFromInputs(request) : Math.max(request.prompts().size(), request.seeds().length);
        if (request.prompts().size() != 1 && request.prompts().size() != batch) {
            throw new InvalidGenerationException("prompt", request.prompts().size() + " prompts for a batch of "
                    + batch);
        }
        return new Plan(sampler, schedule, batch, widthPx, heightPx, heightPx / factor, widthPx / factor, inpaint);
    }

    /**
     * The sampler's schedule of {@code steps} steps, whose timesteps must lie in the model's training schedule (with
     * "leading" spacing and steps_offset 1, 1000 steps of a 1000-step schedule would ask for t = 1000).
     */
    private static Schedule scheduleWithinTraining(Sampler sampler, int steps) {
        Schedule schedule;
        try {
            schedule = sampler.schedule(steps);
        } catch (IllegalArgumentException e) {
            throw new InvalidGenerationException("steps", e.getMessage());
        }
        int trainSteps = sampler.config().numTrainTimesteps();
        for (float timestep : schedule.timesteps()) {
            if (timestep < 0 || timestep > trainSteps - 1) {
                throw new InvalidGenerationException("steps", steps + " steps of sampler " + sampler.name()
                        + " reach timestep " + timestep + ", outside this model's training schedule [0, "
                        + (trainSteps - 1) + "]; use fewer steps");
            }
        }
        return schedule;
    }

    private static int batchFromInputs(GenerationRequest request) {
        if (request.initialLatents() != null) {
            return (int) request.initialLatents().getShape().get(0);
        }
        if (request.initImage() != null) {
            return (int) request.initImage().getShape().get(0);
        }
        return request.seeds().length;
    }

    /** The prompt and negative-prompt branches (the negative ones null without guidance). */
    private record Conditioning(NDArray hidden, NDArray negHidden, NDArray pooled, NDArray negPooled,
                                NDArray timeIds, NDArray negTimeIds) {
        UNetConditioning with(NDArray extraChannels, GenerationRequest request) {
            return new UNetConditioning(hidden, negHidden, pooled, negPooled, timeIds, negTimeIds, extraChannels,
                    request.guidanceScale(), request.guidanceRescale());
        }
    }

    private Conditioning encodePrompts(GenerationRequest request, int batch, Plan plan, NDManager scope) {
        boolean guided = request.guidanceScale() > 1;
        boolean xl = traits.unet().usesTextTime();
        // SDXL: an absent negative prompt is all-zero conditioning, nothing to encode
        boolean zeroNegatives = request.negativePrompts() == null && xl && traits.forceZerosForEmptyPrompt();
        List<String> prompts = new ArrayList<>(repeat(request.prompts(), batch));
        if (guided && !zeroNegatives) {
            // the negative prompts in the same call: one pass of the text encoder (a prompt's embedding does not
            // depend on the prompts encoded with it)
            prompts.addAll(request.negativePrompts() == null
                    ? Collections.nCopies(batch, "") : repeat(request.negativePrompts(), batch));
        }
        PromptEmbeddings encoded = text.encode(prompts, scope);
        PromptEmbeddings cond = prompts.size() == batch ? encoded : encoded.prompts(0, batch);
        NDArray hidden = cond.hiddenStates();
        NDArray pooled = cond.pooled();
        NDArray timeIds = null;
        NDArray negTimeIds = null;
        if (xl) {
            int[] original = request.originalSize() != null ? request.originalSize()
                    : new int[] {plan.heightPx, plan.widthPx};
            int[] target = request.targetSize() != null ? request.targetSize()
                    : new int[] {plan.heightPx, plan.widthPx};
            float[] ids = SdxlConditioning.timeIds(original, request.cropsCoordsTopLeft(), target,
                    traits.requiresAestheticsScore(), request.aestheticScore());
            float[] negIds = SdxlConditioning.timeIds(original, request.cropsCoordsTopLeft(), target,
                    traits.requiresAestheticsScore(), request.negativeAestheticScore());
            SdxlConditioning.check(traits.unet(), ids.length, pooled);
            timeIds = SdxlConditioning.batch(ids, batch, scope);
            negTimeIds = SdxlConditioning.batch(negIds, batch, scope);
        }
        if (!guided) {
            return new Conditioning(hidden, null, pooled, null, timeIds, null);
        }
        if (zeroNegatives) {
            return new Conditioning(hidden, hidden.zerosLike(), pooled, pooled == null ? null : pooled.zerosLike(),
                    timeIds, negTimeIds);
        }
        PromptEmbeddings uncond = encoded.prompts(batch, 2 * batch);
        return new Conditioning(hidden, uncond.hiddenStates(), pooled, pooled == null ? null : uncond.pooled(),
                timeIds, negTimeIds);
    }

    private static List<String> repeat(List<String> items, int batch) {
        if (items.size() == batch) {
            return items;
        }
        List<String> out = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            out.add(items.get(i % items.size()));
        }
        return out;
    }

    /** The latents the loop starts from, and what inpainting adds to it. */
    private record Start(NDArray latents, Sampler.StepBlend blend, NDArray mask, NDArray maskedImageLatents) {
        /** A 9-channel UNet's extra input: mask and masked-image latents, (B, 1 + C, h, w); else null. */
        NDArray extraChannels() {
            return maskedImageLatents == null ? null : mask.concat(maskedImageLatents, 1);
        }
    }

    private Start prepareLatents(GenerationRequest request, Plan plan, NoiseSource noise, NDManager scope) {
        Sampler sampler = plan.sampler;
        Schedule schedule = plan.schedule;
        Shape shape = new Shape(plan.batch, traits.latentChannels(), plan.latentH, plan.latentW);
        if (request.initImage() == null) {
            // txt2img: x_T = noise * init_noise_sigma
            NDArray x = request.initialLatents() != null
                    ? request.initialLatents().duplicate() : noise.next(shape, scope);
            x.attach(scope);
            return new Start(x.mul(schedule.initNoiseSigma()), null, null, null);
        }
        NDArray image = repeatBatch(request.initImage(), plan.batch).duplicate();
        image.attach(scope);
        if (!plan.inpaint) {
            // img2img: encode (unless given latents), then q_sample to the first timestep of the window
            NDArray init = image.getShape().get(1) == 3 ? encode(image, noise, shape) : image.duplicate();
            init.attach(scope);
            if (request.denoisingStart() != null) {
                return new Start(init, null, null, null);
            }
            NDArray n = noise.next(shape, scope);
            return new Start(sampler.addNoise(init, n, schedule, schedule.beginIndex()), null, null, null);
        }
        return prepareInpainting(request, plan, noise, image, shape, scope);
    }

    private Start prepareInpainting(GenerationRequest request, Plan plan, NoiseSource noise, NDArray image,
                                    Shape shape, NDManager scope) {
        Sampler sampler = plan.sampler;
        Schedule schedule = plan.schedule;
        boolean legacy = traits.unet().inChannels() == traits.latentChannels();
        boolean strengthMax = request.strength() == 1.0;
        NDArray maskCondition = repeatBatch(request.mask(), plan.batch).duplicate();
        maskCondition.attach(scope);
        // masked image: the known pixels, zero where the mask repaints
        NDArray maskedImage = image.mul(maskCondition.lt(0.5f).toType(image.getDataType(), false));
        // noise draws in diffusers' order: image posterior (when needed), starting noise, masked-image posterior
        NDArray imageLatents = legacy || !strengthMax ? encode(image, noise, shape) : null;
        NDArray n = noise.next(shape, scope);
        NDArray latents = strengthMax
                ? n.mul(schedule.initNoiseSigma())
                : sampler.addNoise(imageLatents, n, schedule, schedule.beginIndex());
        NDArray maskedImageLatents = encode(maskedImage, noise, shape);
        NDArray maskLatent = Masks.nearestDownsample(maskCondition, plan.latentH, plan.latentW);
        if (!legacy) {
            return new Start(latents, null, maskLatent, maskedImageLatents);
        }
        // 4-channel UNet: after each step keep the known region, noised to the next timestep
        int last = schedule.endIndex() - 1;
        NDArray keep = maskLatent.mul(-1).add(1);
        Sampler.StepBlend blend = (index, x) -> {
            // work in the step's manager so that nothing outlives the step
            x.getManager().tempAttachAll(imageLatents, n, keep, maskLatent);
            NDArray proper = index < last ? sampler.addNoise(imageLatents, n, schedule, index + 1) : imageLatents;
            return keep.mul(proper).add(maskLatent.mul(x));
        };
        return new Start(latents, blend, null, null);
    }

    private static NDArray repeatBatch(NDArray x, int batch) {
        long b = x.getShape().get(0);
        if (b == batch) {
            return x;
        }
        if (b != 1) {
            throw new InvalidGenerationException("init_image", "init image/mask batch " + b + " does not match "
                    + batch + " images");
        }
        return x.repeat(0, batch);
    }

    @Override
    public void close() {
        if (resources != null) {
            try {
                resources.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot release the pipeline's models", e);
            }
        }
    }
}
