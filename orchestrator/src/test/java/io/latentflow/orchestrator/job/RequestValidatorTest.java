package io.latentflow.orchestrator.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.core.pipeline.GenerationRules;
import io.latentflow.core.sampling.Samplers;
import io.latentflow.proto.GenerationRequest;
import io.latentflow.proto.ModelRef;
import org.junit.jupiter.api.Test;

class RequestValidatorTest {

    private final RequestValidator validator = new RequestValidator(RequestLimits.defaults());

    private static GenerationRequest.Builder valid() {
        return GenerationRequest.newBuilder()
                .setModel(ModelRef.newBuilder().setName("tiny-sd").setVersion("1"))
                .setPrompt("a red square");
    }

    private InvalidRequestException rejected(GenerationRequest.Builder request) {
        return assertThrows(InvalidRequestException.class, () -> validator.validate(request.build(), "job-1"));
    }

    private void assertRejected(String field, GenerationRequest.Builder request) {
        assertEquals(field, rejected(request).field());
    }

    @Test
    void appliesTheDocumentedDefaults() {
        JobSpec spec = validator.validate(GenerationRequest.newBuilder().setPrompt("a cat").build(), "job-1");
        assertEquals("job-1", spec.jobId());
        assertEquals("tiny-sd", spec.modelName());
        assertEquals("", spec.modelVersion());
        assertEquals(0, spec.widthPx(), "no width: the model's size, as in generate");
        assertEquals(0, spec.heightPx());
        assertEquals(GenerationRules.DEFAULT_STEPS, spec.steps());
        assertEquals("", spec.sampler(), "no sampler: the model's scheduler");
        assertEquals(7.5f, spec.guidanceScale());
        assertEquals(0f, spec.guidanceRescale());
        assertEquals(0f, spec.eta());
        assertEquals(1, spec.numImages());
        assertNull(spec.negativePrompt());
        assertEquals(RequestValidator.defaultSeed("job-1"), spec.seed());
        assertTrue(spec.usesGuidance());
    }

    @Test
    void keepsExplicitValues() {
        JobSpec spec = validator.validate(valid().setWidth(128).setHeight(32).setSteps(3).setSampler("ddpm")
                .setGuidanceScale(1f).setSeed(42).setNumImages(3).setNegativePrompt("").build(), "j");
        assertEquals(128, spec.widthPx());
        assertEquals(32, spec.heightPx());
        assertEquals(3, spec.steps());
        assertEquals("ddpm", spec.sampler());
        assertEquals(42L, spec.seed());
        assertEquals(44L, spec.imageSeed(2));
        assertEquals("", spec.negativePrompt());
        assertFalse(spec.usesGuidance());
    }

    @Test
    void writesEveryDefaultIntoTheStoredRequest() {
        GenerationRequest stored = validator.validate(valid().setSeed(7).build(), "job-9").toRequest();
        assertEquals("job-9", stored.getJobId());
        assertEquals(GenerationRules.DEFAULT_STEPS, stored.getSteps());
        assertFalse(stored.hasWidth(), "a size left out stays out: it is the model's or the init image's");
        assertEquals("", stored.getSampler(), "no sampler: the model's scheduler");
        assertEquals(7L, stored.getSeed());
        assertFalse(stored.hasNegativePrompt());
    }

    @Test
    void rejectsMissingOrMalformedJobIds() {
        assertEquals("job_id", assertThrows(InvalidRequestException.class,
                () -> validator.validate(valid().build(), "")).field());
        assertEquals("job_id", assertThrows(InvalidRequestException.class,
                () -> validator.validate(valid().build(), null)).field());
        assertEquals("job_id", assertThrows(InvalidRequestException.class,
                () -> validator.validate(valid().build(), "../etc")).field());
        assertEquals("job_id", assertThrows(InvalidRequestException.class,
                () -> validator.validate(valid().build(), "a/b")).field());
        assertEquals("job_id", assertThrows(InvalidRequestException.class,
                () -> validator.validate(valid().build(), "x".repeat(129))).field());
    }

    @Test
    void rejectsMalformedModelNamesAndVersions() {
        assertRejected("model.name", valid().setModel(ModelRef.newBuilder().setName("../secrets")));
        assertRejected("model.name", valid().setModel(ModelRef.newBuilder().setName("a b")));
        assertRejected("model.name", valid().setModel(ModelRef.newBuilder().setName("-x")));
        assertRejected("model.version", valid().setModel(ModelRef.newBuilder().setName("tiny-sd").setVersion("..")));
        assertRejected("model.version", valid().setModel(ModelRef.newBuilder().setName("tiny-sd").setVersion("1/2")));
    }

    @Test
    void rejectsEmptyAndOverlongPrompts() {
        assertRejected("prompt", valid().setPrompt(""));
        assertRejected("prompt", valid().setPrompt("   "));
        assertRejected("prompt", valid().setPrompt("x".repeat(2001)));
        assertRejected("negative_prompt", valid().setNegativePrompt("x".repeat(2001)));
        validator.validate(valid().setPrompt("x".repeat(2000)).build(), "j");
    }

    @Test
    void leavesTheVaeFactorOfSizesToTheModelsPipeline() {
        // 100 is no multiple of an f = 8 VAE but is one of an f = 4 VAE: the job's model decides, as in-process
        assertEquals(100, validator.validate(valid().setWidth(100).build(), "j").widthPx());
        assertRejected("height", valid().setHeight(4));
    }

    @Test
    void rejectsSizesOutsideTheLimits() {
        assertRejected("width", valid().setWidth(0));
        assertRejected("width", valid().setWidth(-8));
        assertRejected("width", valid().setWidth(2056));
        assertRejected("height", valid().setHeight(4096));
        validator.validate(valid().setWidth(8).setHeight(2048).build(), "j");
    }

    @Test
    void rejectsStepCountsOutsideOneToAThousand() {
        InvalidRequestException e = rejected(valid().setSteps(0));
        assertEquals("steps", e.field());
        assertTrue(e.reason().contains(">= 1"), e.reason());
        assertTrue(rejected(valid().setSteps(1001)).reason().contains("at most 1000"));
        assertRejected("steps", valid().setSteps(-3));
        assertRejected("steps", valid().setSteps(1001));
        validator.validate(valid().setSteps(1).build(), "j");
        validator.validate(valid().setSteps(1000).build(), "j");
    }

    @Test
    void rejectsUnknownSamplers() {
        InvalidRequestException e = rejected(valid().setSampler("heun"));
        assertEquals("sampler", e.field());
        assertTrue(e.reason().contains("heun"), e.reason());
        assertRejected("sampler", valid().setSampler("DDIM"));
        for (String sampler : Samplers.NAMES) {
            assertEquals(sampler, validator.validate(valid().setSampler(sampler).build(), "j").sampler());
        }
    }

    @Test
    void rejectsNegativeOrNonFiniteGuidance() {
        assertRejected("guidance_scale", valid().setGuidanceScale(-0.5f));
        assertRejected("guidance_scale", valid().setGuidanceScale(Float.NaN));
        assertRejected("guidance_scale", valid().setGuidanceScale(Float.POSITIVE_INFINITY));
        assertEquals(0f, validator.validate(valid().setGuidanceScale(0f).build(), "j").guidanceScale());
        assertRejected("guidance_rescale", valid().setGuidanceRescale(1.5f));
        assertRejected("guidance_rescale", valid().setGuidanceRescale(-0.1f));
    }

    @Test
    void rejectsEtaOutsideZeroToOne() {
        assertRejected("eta", valid().setEta(-0.1f));
        assertRejected("eta", valid().setEta(1.1f));
        assertRejected("eta", valid().setEta(Float.NaN));
        assertRejected("eta", valid().setSampler("euler").setEta(0.5f));
        assertRejected("eta", valid().setEta(0.5f)); // ddim must be named: the model's scheduler may be another
        assertEquals(0.5f, validator.validate(valid().setSampler("ddim").setEta(0.5f).build(), "j").eta());
    }

    @Test
    void rejectsKarrasSigmasForSamplersWithoutThem() {
        assertRejected("karras", valid().setSampler("ddim").setKarras(true));
        assertRejected("karras", valid().setSampler("euler-a").setKarras(true));
        assertTrue(validator.validate(valid().setSampler("dpmpp-2m").setKarras(true).build(), "j").karras());
    }

    @Test
    void rejectsImageCountsOutsideOneToEight() {
        assertRejected("num_images", valid().setNumImages(0));
        assertRejected("num_images", valid().setNumImages(9));
        assertEquals(8, validator.validate(valid().setNumImages(8).build(), "j").numImages());
    }

    @Test
    void rejectsStrengthOutsideTheHalfOpenUnitInterval() {
        assertRejected("strength", valid().setInitImage("inputs/a.png").setStrength(0f));
        assertRejected("strength", valid().setInitImage("inputs/a.png").setStrength(1.01f));
        assertRejected("strength", valid().setStrength(0.5f));
    }

    @Test
    void rejectsDenoisingEndOutsideTheOpenUnitInterval() {
        ModelRef refiner = ModelRef.newBuilder().setName("refiner").build();
        assertRejected("denoising_end", valid().setRefiner(refiner).setDenoisingEnd(0f));
        assertRejected("denoising_end", valid().setRefiner(refiner).setDenoisingEnd(1f));
        assertRejected("denoising_end", valid().setDenoisingEnd(0.8f));
    }

    @Test
    void rejectsMalformedRefinersAndImageKeys() {
        assertRejected("refiner.name", valid().setRefiner(ModelRef.newBuilder().setVersion("1")));
        assertRejected("refiner.name", valid().setRefiner(ModelRef.newBuilder().setName("a/b")));
        assertRejected("init_image", valid().setInitImage("../../etc/passwd"));
        assertRejected("mask", valid().setMask("masks/m.png"));
    }

    @Test
    void readsStartImagesAndMasksOnlyUnderTheInputsPrefix() {
        InvalidRequestException e = rejected(valid().setInitImage("jobs/other-job/images/0.png"));
        assertEquals("init_image", e.field());
        assertTrue(e.reason().contains("not under inputs/"), e.reason());
        assertRejected("mask", valid().setInitImage("inputs/a.png").setMask("jobs/other-job/images/0.png"));
    }

    @Test
    void boundsTheCostOfAJob() {
        RequestLimits limits = RequestLimits.defaults();
        limits.checkCost(1024, 1024, 150, 8);
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> limits.checkCost(1024, 1024, 151, 8));
        assertEquals("steps", e.field());
        assertTrue(e.reason().contains("1266679808 pixel-steps"), e.reason());
    }

    @Test
    void acceptsInpaintingWithFullStrengthByDefault() {
        JobSpec spec = validator.validate(valid().setInitImage("inputs/a.png").setMask("inputs/m.png").build(), "j");
        assertTrue(spec.isInpainting());
        assertEquals(1f, spec.strength());
        assertEquals("inputs/m.png", spec.toRequest().getMask());
        assertEquals(0.6f, validator.validate(valid().setInitImage("inputs/a.png").setMask("inputs/m.png")
                .setStrength(0.6f).build(), "j").strength());
    }

    @Test
    void acceptsARefinerWithTheDefaultOrAGivenDenoisingEnd() {
        ModelRef refiner = ModelRef.newBuilder().setName("refiner").setVersion("2").build();
        JobSpec byDefault = validator.validate(valid().setRefiner(refiner).build(), "j");
        assertTrue(byDefault.hasRefiner());
        assertEquals("refiner", byDefault.refinerName());
        assertEquals("2", byDefault.refinerVersion());
        assertEquals(0.8f, byDefault.denoisingEnd());
        assertEquals(0.6f, validator.validate(valid().setRefiner(refiner).setDenoisingEnd(0.6f).build(), "j")
                .denoisingEnd());
        GenerationRequest stored = byDefault.toRequest();
        assertEquals(refiner, stored.getRefiner());
        assertEquals(0.8f, stored.getDenoisingEnd());
        JobSpec plain = validator.validate(valid().build(), "j");
        assertFalse(plain.hasRefiner());
        assertFalse(plain.toRequest().hasRefiner());
        assertFalse(plain.toRequest().hasDenoisingEnd());
    }

    @Test
    void acceptsImageToImageWithTheDefaultOrAGivenStrength() {
        JobSpec byDefault = validator.validate(valid().setInitImage("inputs/a.png").build(), "j");
        assertTrue(byDefault.isImageToImage());
        assertEquals("inputs/a.png", byDefault.initImage());
        assertEquals(0.8f, byDefault.strength());
        assertEquals(0.5f, validator.validate(valid().setInitImage("inputs/a.png").setStrength(0.5f).build(), "j")
                .strength());
        GenerationRequest stored = byDefault.toRequest();
        assertEquals("inputs/a.png", stored.getInitImage());
        assertEquals(0.8f, stored.getStrength());
        assertFalse(validator.validate(valid().build(), "j").isImageToImage());
    }

    @Test
    void theDefaultSeedIsAStableNonNegativeFunctionOfTheJobId() {
        long seed = RequestValidator.defaultSeed("job-1");
        assertEquals(seed, RequestValidator.defaultSeed("job-1"));
        assertTrue(seed >= 0 && seed < (1L << 47), Long.toString(seed));
        assertTrue(seed != RequestValidator.defaultSeed("job-2"));
    }

    @Test
    void acceptsWellFormedJobIds() {
        assertTrue(RequestValidator.isWellFormedJobId("3f1c2a9e-1b2c-4d5e-8f90-0123456789ab"));
        assertTrue(RequestValidator.isWellFormedJobId("job_1.retry"));
        assertFalse(RequestValidator.isWellFormedJobId(".hidden"));
        assertFalse(RequestValidator.isWellFormedJobId(""));
    }
}
