package io.latentflow.orchestrator.job;

import io.latentflow.core.pipeline.GenerationRules;
import io.latentflow.core.pipeline.InvalidGenerationException;
import io.latentflow.proto.GenerationRequest;
import io.latentflow.proto.ModelRef;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.regex.Pattern;

/**
 * Checks every field of a {@link GenerationRequest} and applies the documented defaults, producing a {@link JobSpec}.
 * The first field at fault is reported as an {@link InvalidRequestException} naming it. The rules and defaults every
 * front end shares are core's {@link GenerationRules}; the limits, identifiers and object keys are the job's own.
 */
public final class RequestValidator {

    private static final int MIN_SIZE_PX = 8;


    /** Job ids become object keys (jobs/&lt;id&gt;/...): letters, digits, '.', '_', '-', at most 128. */
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    /** Model names and versions become paths (models/&lt;name&gt;/&lt;version&gt;/). */
    private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern MODEL_VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final RequestLimits limits;

    public RequestValidator(RequestLimits limits) {
        this.limits = limits;
    }

    /**
     * Validates a request whose job id is {@code jobId} (the request's own, else the record key).
     *
     * @throws InvalidRequestException naming the first field at fault
     */
    public JobSpec validate(GenerationRequest request, String jobId) {
        requireJobId(jobId);
        ModelRef model = request.hasModel() ? request.getModel() : ModelRef.getDefaultInstance();
        String modelName = model.getName().isEmpty() ? limits.defaultModel() : model.getName();
        requireModel("model", modelName, model.getVersion());

        String prompt = request.getPrompt();
        require(!prompt.isBlank(), "prompt", "must not be empty");
        require(prompt.length() <= limits.maxPromptChars(), "prompt",
                "is " + prompt.length() + " characters long, at most " + limits.maxPromptChars() + " allowed");
        String negativePrompt = request.hasNegativePrompt() ? request.getNegativePrompt() : null;
        require(negativePrompt == null || negativePrompt.length() <= limits.maxPromptChars(), "negative_prompt",
                "is longer than " + limits.maxPromptChars() + " characters");

        // left out: the model's size, or the init image's (0 in the spec)
        int width = request.hasWidth() ? request.getWidth() : 0;
        int height = request.hasHeight() ? request.getHeight() : 0;
        if (request.hasWidth()) {
            requireSize("width", width, limits.maxWidthPx());
        }
        if (request.hasHeight()) {
            requireSize("height", height, limits.maxHeightPx());
        }

        int steps = request.hasSteps() ? request.getSteps() : GenerationRules.DEFAULT_STEPS;
        String sampler = request.getSampler().isEmpty() ? null : request.getSampler(); // null: the model's scheduler
        float guidanceScale = request.hasGuidanceScale() ? request.getGuidanceScale()
                : GenerationRules.DEFAULT_GUIDANCE_SCALE;
        float guidanceRescale = request.hasGuidanceRescale() ? request.getGuidanceRescale() : 0f;
        float eta = request.hasEta() ? request.getEta() : 0f;
        checkedByCore(() -> {
            GenerationRules.checkSteps(steps);
            GenerationRules.checkSampler(sampler, eta, request.getKarras());
            GenerationRules.checkGuidance(guidanceScale, guidanceRescale);
        });
        require(steps <= limits.maxSteps(), "steps", "must be at most " + limits.maxSteps() + ", got " + steps);

        int numImages = request.hasNumImages() ? request.getNumImages() : 1;
        require(numImages >= 1 && numImages <= limits.maxImages(), "num_images",
                "must be between 1 and " + limits.maxImages() + ", got " + numImages);

        if (request.hasStrength()) {
            checkedByCore(() -> GenerationRules.checkStrength(request.getStrength()));
            require(!request.getInitImage().isEmpty(), "strength", "is only meaningful with init_image");
        }
        if (request.hasDenoisingEnd()) {
            checkedByCore(() -> GenerationRules.checkSplit("denoising_end", request.getDenoisingEnd()));
            require(request.hasRefiner(), "denoising_end", "is only meaningful with a refiner");
        }
        ModelRef refiner = request.hasRefiner() ? request.getRefiner() : ModelRef.getDefaultInstance();
        if (request.hasRefiner()) {
            require(!refiner.getName().isEmpty(), "refiner.name", "must not be empty when a refiner is given");
            requireModel("refiner", refiner.getName(), refiner.getVersion());
        }
        float denoisingEnd = !request.hasRefiner() ? 0f
                : request.hasDenoisingEnd() ? request.getDenoisingEnd() : (float) GenerationRules.DEFAULT_DENOISING_END;
        if (!request.getInitImage().isEmpty()) {
            requireObjectKey("init_image", request.getInitImage());
        }
        if (!request.getMask().isEmpty()) {
            requireObjectKey("mask", request.getMask());
            checkedByCore(() -> GenerationRules.checkMask(true, !request.getInitImage().isEmpty()));
        }
        float strength = request.hasStrength() ? request.getStrength()
                : (float) GenerationRules.defaultStrength(!request.getMask().isEmpty());

        require(request.getPreviewEverySteps() >= 0, "preview_every_steps", "must be 0 (none) or more, got "
                + request.getPreviewEverySteps());
        long seed = request.hasSeed() ? request.getSeed() : defaultSeed(jobId);
        return new JobSpec(jobId, modelName, model.getVersion(), prompt, negativePrompt, width, height, steps,
                request.getSampler(), guidanceScale, guidanceRescale, eta, seed, numImages, request.getKarras(),
                request.getInitImage(), request.getInitImage().isEmpty() ? 0f : strength, request.getMask(),
                refiner.getName(), refiner.getVersion(), denoisingEnd, request.getPreviewEverySteps(),
                request.getClient());
    }

    /**
     * The seed of a job that names none: the first 47 bits of SHA-256 of its job id. Unpredictable across jobs, yet
     * the same when Kafka redelivers the job, so that a resumed job continues the trajectory it started.
     */
    public static long defaultSeed(String jobId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(jobId.getBytes(StandardCharsets.UTF_8));
            long seed = 0;
            for (int i = 0; i < 8; i++) {
                seed = (seed << 8) | (digest[i] & 0xff);
            }
            return seed >>> 17;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Whether {@code jobId} may name a job (it becomes part of object keys). */
    public static boolean isWellFormedJobId(String jobId) {
        return jobId != null && JOB_ID.matcher(jobId).matches();
    }

    private static void requireJobId(String jobId) {
        require(jobId != null && !jobId.isEmpty(), "job_id", "missing: the request has no job_id and the record no key");
        require(isWellFormedJobId(jobId), "job_id",
                "'" + jobId + "' is not a valid job id (letters, digits, '.', '_', '-', at most 128 characters)");
    }

    private static void requireModel(String field, String name, String version) {
        require(MODEL_NAME.matcher(name).matches() && !name.contains(".."), field + ".name",
                "'" + name + "' is not a valid model name (letters, digits, '.', '_', '-', at most 128 characters)");
        require(version.isEmpty() || (MODEL_VERSION.matcher(version).matches() && !version.contains("..")),
                field + ".version", "'" + version + "' is not a valid model version");
    }

    /** The size's range; whether it fits the model's VAE factor is the pipeline's check, once the model is known. */
    private static void requireSize(String field, int sizePx, int maxPx) {
        require(sizePx >= MIN_SIZE_PX && sizePx <= maxPx, field,
                "must be between " + MIN_SIZE_PX + " and " + maxPx + " pixels, got " + sizePx);
    }

    private void requireObjectKey(String field, String key) {
        require(!key.startsWith("/") && !key.contains("..") && key.length() <= 1024, field,
                "'" + key + "' is not a valid object key");
        require(key.startsWith(limits.inputsPrefix()), field, "'" + key + "' is not under "
                + limits.inputsPrefix() + ": upload start images and masks there");
    }

    /** Runs core's checks of the options every front end shares; a refusal names the same field here. */
    private static void checkedByCore(Runnable checks) {
        try {
            checks.run();
        } catch (InvalidGenerationException e) {
            throw new InvalidRequestException(e.field(), e.reason());
        }
    }

    private static void require(boolean condition, String field, String reason) {
        if (!condition) {
            throw new InvalidRequestException(field, reason);
        }
    }
}
