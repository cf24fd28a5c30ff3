package io.latentflow.orchestrator.job;

import ai.djl.ndarray.NDManager;
import io.latentflow.core.image.ImageTensors;
import io.latentflow.core.image.ImageParameters;
import io.latentflow.core.sampling.SamplerOptions;
import io.latentflow.proto.GenerationRequest;
import io.latentflow.proto.ModelRef;
import java.awt.image.BufferedImage;

/**
 * A validated generation job with every default applied.
 *
 * @param sampler        empty for the model's own scheduler class
 * @param negativePrompt null when the request has none (then the unconditional branch uses the empty prompt)
 * @param widthPx        0 when left out: the init image's width, or the model's default size
 * @param heightPx       0 when left out, as widthPx
 * @param initImage      object key of the img2img start image, empty for text-to-image
 * @param strength       img2img: the fraction of the schedule run on the noised start image, in (0, 1]
 * @param mask           object key of the inpainting mask (white = repaint), empty without inpainting
 * @param refinerName    the second expert's model name, empty without a refiner
 * @param refinerVersion the second expert's model version (empty: the latest)
 * @param denoisingEnd   with a refiner: the fraction of the schedule the base runs, in (0, 1); else 0
 * @param previewEverySteps a preview PNG every N steps in the progress events; 0: none
 * @param client         the API client that submitted the job, empty for a job written to the topic directly
 */
public record JobSpec(
        String jobId,
        String modelName,
        String modelVersion,
        String prompt,
        String negativePrompt,
        int widthPx,
        int heightPx,
        int steps,
        String sampler,
        float guidanceScale,
        float guidanceRescale,
        float eta,
        long seed,
        int numImages,
        boolean karras,
        String initImage,
        float strength,
        String mask,
        String refinerName,
        String refinerVersion,
        float denoisingEnd,
        int previewEverySteps,
        String client) {

    /** Classifier-free guidance runs only for a scale above 1 (at 1 it equals the conditional prediction). */
    public boolean usesGuidance() {
        return guidanceScale > 1f;
    }

    /** Whether the job starts from an image (img2img) instead of pure noise. */
    public boolean isImageToImage() {
        return !initImage.isEmpty();
    }

    /** Whether the job repaints the masked region of its start image. */
    public boolean isInpainting() {
        return !mask.isEmpty();
    }

    /** Whether a refiner model continues the base's latents from {@link #denoisingEnd()} (ensemble of experts). */
    public boolean hasRefiner() {
        return !refinerName.isEmpty();
    }

    /** Seed of image {@code n} (0-based): the job's seed plus n. */
    public long imageSeed(int n) {
        return seed + n;
    }

    /**
     * How image {@code n} was made, for its PNG's {@code parameters} chunk.
     *
     * @param sampler the display name of the sampler the job ran (see {@code ModelTraits#samplerDisplayName})
     */
    public ImageParameters imageParameters(int n, String sampler, int width, int height) {
        return new ImageParameters(prompt, negativePrompt == null ? "" : negativePrompt, steps, sampler,
                guidanceScale, imageSeed(n), width, height, modelName + "/" + modelVersion);
    }

    /**
     * The request with every default written out, as stored in jobs/&lt;id&gt;/job.json; a size left out stays out
     * (it is the model's or the init image's).
     */
    public GenerationRequest toRequest() {
        GenerationRequest.Builder builder = GenerationRequest.newBuilder()
                .setJobId(jobId)
                .setModel(ModelRef.newBuilder().setName(modelName).setVersion(modelVersion))
                .setPrompt(prompt)
                .setSteps(steps)
                .setSampler(sampler)
                .setGuidanceScale(guidanceScale)
                .setGuidanceRescale(guidanceRescale)
                .setEta(eta)
                .setSeed(seed)
                .setNumImages(numImages)
                .setKarras(karras)
                .setPreviewEverySteps(previewEverySteps)
                .setClient(client);
        if (negativePrompt != null) {
            builder.setNegativePrompt(negativePrompt);
        }
        if (widthPx > 0) {
            builder.setWidth(widthPx);
        }
        if (heightPx > 0) {
            builder.setHeight(heightPx);
        }
        if (isImageToImage()) {
            builder.setInitImage(initImage).setStrength(strength);
        }
        if (isInpainting()) {
            builder.setMask(mask);
        }
        if (hasRefiner()) {
            builder.setRefiner(ModelRef.newBuilder().setName(refinerName).setVersion(refinerVersion))
                    .setDenoisingEnd(denoisingEnd);
        }
        return builder.build();
    }

    /**
     * Whether {@code request} (with its defaults written out) asks for this job's work, whichever client sent it:
     * a job id stands for one piece of work; who may see it is the APIs' concern.
     */
    public boolean sameWorkAs(GenerationRequest request) {
        return toRequest().toBuilder().clearClient().build().equals(request.toBuilder().clearClient().build());
    }

    /** Core's request of this job: its prompts, seeds, sampler, guidance, and the start image and mask given. */
    public io.latentflow.core.pipeline.GenerationRequest.Builder toCoreRequest(BufferedImage initImage,
            BufferedImage maskImage, NDManager manager) {
        long[] seeds = new long[numImages];
        for (int n = 0; n < seeds.length; n++) {
            seeds[n] = imageSeed(n);
        }
        io.latentflow.core.pipeline.GenerationRequest.Builder request =
                io.latentflow.core.pipeline.GenerationRequest.builder(prompt)
                        .negativePrompt(negativePrompt)
                        .size(widthPx, heightPx)
                        .steps(steps)
                        .sampler(sampler.isEmpty() ? null : sampler)
                        .samplerOptions(new SamplerOptions(eta, karras ? Boolean.TRUE : null))
                        .guidance(guidanceScale)
                        .guidanceRescale(guidanceRescale)
                        .seeds(seeds);
        if (initImage != null) {
            request.initImage(ImageTensors.toTensor(initImage, manager), strength);
        }
        if (maskImage != null) {
            request.mask(ImageTensors.maskToTensor(maskImage, manager));
        }
        return request;
    }
}
