package io.latentflow.cli;

import io.latentflow.proto.GenerationRequest;
import io.latentflow.proto.ModelRef;
import java.util.UUID;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The fields of a generation job as command-line options: the sampling options shared with {@code generate}, and
 * the models and images by name and object key. Options left out are left out of the request, so the orchestrator
 * applies its documented defaults.
 */
final class JobOptions {

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--job-id", description = "job id (default: a random UUID)")
    String jobId;

    @Option(names = {"-m", "--model"}, description = "model name under models/ (default: the service default, shapes)")
    String model;

    @Option(names = "--model-version", description = "model version (default: the highest present)")
    String modelVersion;

    @Option(names = "--num-images", description = "images per job, 1..8 (default 1); image n uses seed + n")
    Integer numImages;

    @Option(names = "--init-image", description = "img2img: object key of a PNG in the bucket")
    String initImage;

    @Option(names = "--mask", description = "inpainting: object key of a PNG mask in the bucket (white = repaint)")
    String mask;

    @Option(names = "--refiner", description = "refiner model name (SDXL ensemble of experts)")
    String refiner;

    @Option(names = "--refiner-version", description = "refiner model version")
    String refinerVersion;

    @Option(names = "--preview-every", paramLabel = "N",
            description = "a preview PNG of the image every N steps in the progress events (default: none)")
    Integer previewEvery;

    /** The request these options describe (a fresh job id when none was given). */
    GenerationRequest toRequest() {
        GenerationRequest.Builder request = GenerationRequest.newBuilder()
            .setJobId(jobId == null || jobId.isBlank() ? UUID.randomUUID().toString() : jobId);
        sampling.applyTo(request);
        if (model != null || modelVersion != null) {
            request.setModel(ModelRef.newBuilder().setName(orEmpty(model)).setVersion(orEmpty(modelVersion)));
        }
        if (numImages != null) {
            request.setNumImages(numImages);
        }
        if (initImage != null) {
            request.setInitImage(initImage);
        }
        if (mask != null) {
            request.setMask(mask);
        }
        if (previewEvery != null) {
            request.setPreviewEverySteps(previewEvery);
        }
        if (refiner != null || refinerVersion != null) {
            request.setRefiner(ModelRef.newBuilder().setName(orEmpty(refiner)).setVersion(orEmpty(refinerVersion)));
        }
        return request.build();
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
