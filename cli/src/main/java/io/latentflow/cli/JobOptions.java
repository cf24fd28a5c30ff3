package io.latentflow.cli;

import io.latentflow.core.pipeline.GenerationRules;
import io.latentflow.proto.GenerationRequest;
import io.latentflow.proto.ModelRef;
import java.util.UUID;
import picocli.CommandLine.Option;

/**
 * The fields of a generation job as command-line options; options left out are left out of the request, so the
 * orchestrator applies its documented defaults.
 */
final class JobOptions {

    @Option(names = "--job-id", description = "job id (default: a random UUID)")
    String jobId;

    @Option(names = {"-p", "--prompt"}, description = "what to draw")
    String prompt;

    @Option(names = {"-n", "--negative-prompt"}, description = "what to steer away from")
    String negativePrompt;

    @Option(names = {"-W", "--width"}, description = "pixels, a multiple of the model's VAE factor (default 64)")
    Integer width;

    @Option(names = {"-H", "--height"}, description = "pixels, a multiple of the model's VAE factor (default 64)")
    Integer height;

    @Option(names = {"-s", "--steps"}, description = "sampling steps (default " + GenerationRules.DEFAULT_STEPS + ")")
    Integer steps;

    @Option(names = "--sampler", description = "ddim, ddpm, euler, euler-a, dpmpp-2m (default: the model's scheduler)")
    String sampler;

    @Option(names = {"-g", "--guidance"}, description = "classifier-free guidance scale (default "
        + GenerationRules.DEFAULT_GUIDANCE_SCALE + "; <= 1 disables it)")
    Float guidanceScale;

    @Option(names = "--guidance-rescale", description = "guidance rescale factor in [0, 1] (default 0)")
    Float guidanceRescale;

    @Option(names = "--eta", description = "DDIM eta (default 0)")
    Float eta;

    @Option(names = "--seed", description = "random seed (default: drawn at random, reported in the completed event)")
    Long seed;

    @Option(names = {"-m", "--model"}, description = "model name under models/ (default: the service default, shapes)")
    String model;

    @Option(names = "--model-version", description = "model version (default: the highest present)")
    String modelVersion;

    @Option(names = "--num-images", description = "images per job, 1..8 (default 1); image n uses seed + n")
    Integer numImages;

    @Option(names = "--init-image", description = "img2img: object key of a PNG in the bucket")
    String initImage;

    @Option(names = "--strength", description = "img2img: fraction of the schedule to run on the init image, (0, 1]")
    Float strength;

    @Option(names = "--mask", description = "inpainting: object key of a PNG mask in the bucket (white = repaint)")
    String mask;

    @Option(names = "--refiner", description = "refiner model name (SDXL ensemble of experts)")
    String refiner;

    @Option(names = "--refiner-version", description = "refiner model version")
    String refinerVersion;

    @Option(names = "--denoising-end", description = "fraction of the schedule the base model runs before the refiner")
    Float denoisingEnd;

    @Option(names = "--karras", description = "Karras sigmas for samplers that support them")
    boolean karras;

    /** The request these options describe (a fresh job id when none was given). */
    GenerationRequest toRequest() {
        GenerationRequest.Builder request = GenerationRequest.newBuilder()
            .setJobId(jobId == null || jobId.isBlank() ? UUID.randomUUID().toString() : jobId);
        if (prompt != null) {
            request.setPrompt(prompt);
        }
        if (model != null || modelVersion != null) {
            request.setModel(ModelRef.newBuilder().setName(orEmpty(model)).setVersion(orEmpty(modelVersion)));
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
        if (guidanceScale != null) {
            request.setGuidanceScale(guidanceScale);
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
        if (numImages != null) {
            request.setNumImages(numImages);
        }
        if (initImage != null) {
            request.setInitImage(initImage);
        }
        if (strength != null) {
            request.setStrength(strength);
        }
        if (mask != null) {
            request.setMask(mask);
        }
        if (refiner != null || refinerVersion != null) {
            request.setRefiner(ModelRef.newBuilder().setName(orEmpty(refiner)).setVersion(orEmpty(refinerVersion)));
        }
        if (denoisingEnd != null) {
            request.setDenoisingEnd(denoisingEnd);
        }
        request.setKarras(karras);
        return request.build();
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
