package io.latentflow.core.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.sampling.Cancellation;
import io.latentflow.core.sampling.NoiseSource;
import io.latentflow.core.sampling.OracleFiles;
import io.latentflow.core.sampling.Sampler;
import io.latentflow.core.sampling.StepListener;
import io.latentflow.core.schedule.Schedule;
import io.latentflow.core.text.ClipTokenizer;
import io.latentflow.core.text.PromptEmbeddings;
import io.latentflow.core.testing.SdxlFolders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whole SDXL base and refiner folders ({@link SdxlFolders}) through the in-process pipeline: sizes, determinism, the
 * ensemble-of-experts hand-over, force_zeros_for_empty_prompt and the refiner's aesthetic-score time ids, the last two
 * checked against the same run assembled by hand from the pipeline's parts (max abs difference <= 1e-5).
 */
class SdxlPipelineTest {
    private static final double SAME = 1e-5;
    @TempDir
    static Path dir;
    private static NDManager manager;
    private static LocalModel baseModel;
    private static LocalModel refinerModel;
    private static LatentDiffusionPipeline base;
    private static LatentDiffusionPipeline refiner;

    @BeforeAll
    static void load() throws IOException {
        manager = NDManager.newBaseManager();
        baseModel = LocalModel.load(SdxlFolders.base(dir), ModelOptions.defaults());
        refinerModel = LocalModel.load(SdxlFolders.refiner(dir, true), ModelOptions.defaults());
        base = LatentDiffusionPipeline.of(baseModel);
        refiner = LatentDiffusionPipeline.of(refinerModel);
    }

    @AfterAll
    static void close() {
        base.close();
        refiner.close();
        manager.close();
    }

    private static GenerationRequest.Builder request(long seed) {
        return GenerationRequest.builder("a red circle on a blue background").size(64, 32).steps(4).guidance(5f)
                .seeds(seed);
    }

    @Test
    void baseTxt2imgGivesFiniteImagesOfTheRequestedSize() {
        assertEquals(64, baseModel.promptEncoder().hiddenSize());
        assertEquals("euler", base.sampler(request(7).build()).name());
        List<Float> timesteps = new ArrayList<>();
        GenerationResult result = base.generate(request(7).build(), manager,
                (i, total, t, latents, x0) -> timesteps.add(t), Cancellation.NONE);
        // EulerDiscreteScheduler, leading spacing, steps_offset 1: 750, 500, 250, 0 shifted by one
        assertEquals(List.of(751f, 501f, 251f, 1f), timesteps);
        assertEquals(new Shape(1, 3, 32, 64), result.images().getShape());
        assertEquals(new Shape(1, 4, 4, 8), result.latents().getShape());
        assertTrue(Float.isFinite(result.latents().abs().max().getFloat()));
        float min = result.images().min().getFloat();
        float max = result.images().max().getFloat();
        assertTrue(min >= 0 && max <= 1 && max - min > 1e-3, "image range [" + min + ", " + max + "]");
    }

    @Test
    void sameSeedTwiceGivesIdenticalImages() {
        GenerationResult first = base.generate(request(7).build(), manager);
        GenerationResult second = base.generate(request(7).build(), manager);
        GenerationResult other = base.generate(request(8).build(), manager);
        assertEquals(0, OracleFiles.maxAbsDiff(first.images(), second.images()));
        assertEquals(0, OracleFiles.maxAbsDiff(first.latents(), second.latents()));
        double d = OracleFiles.maxAbsDiff(first.latents(), other.latents());
        assertTrue(d > 1e-2, "seeds 7 and 8 differ by only " + d);
    }

    @Test
    void splittingTheBaseAtDenoisingEndEqualsTheFullRun() {
        GenerationRequest request = request(3).steps(10).build();
        GenerationResult full = base.generate(request, manager);
        List<Integer> indices = new ArrayList<>();
        List<Float> timesteps = new ArrayList<>();
        GenerationResult split = new ExpertEnsemble(base, base).generate(request, 0.8, manager,
                (i, total, t, latents, x0) -> {
                    assertEquals(10, total);
                    indices.add(i);
                    timesteps.add(t);
                }, Cancellation.NONE);
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), indices);
        assertEquals(List.of(901f, 801f, 701f, 601f, 501f, 401f, 301f, 201f, 101f, 1f), timesteps);
        double d = OracleFiles.maxAbsDiff(full.latents(), split.latents());
        assertTrue(d <= SAME, "split run differs by " + d);
        assertTrue(OracleFiles.maxAbsDiff(full.images(), split.images()) <= SAME);
    }

    @Test
    void baseThenRefinerSplitAtDenoisingEnd() {
        GenerationRequest request = request(3).steps(10).build();
        List<Float> baseSteps = new ArrayList<>();
        base.generate(GenerationRequest.builder("a red circle on a blue background").size(64, 32).steps(10)
                .guidance(5f).seeds(3).denoisingEnd(0.8).decode(false).build(), manager,
                (i, total, t, latents, x0) -> baseSteps.add(t), Cancellation.NONE);
        // the base keeps t >= round(1000 * (1 - 0.8)) = 200
        assertEquals(List.of(901f, 801f, 701f, 601f, 501f, 401f, 301f, 201f), baseSteps);
        List<Float> timesteps = new ArrayList<>();
        GenerationResult result = new ExpertEnsemble(base, refiner).generate(request, 0.8, manager,
                (i, total, t, latents, x0) -> timesteps.add(t), Cancellation.NONE);
        assertEquals(List.of(901f, 801f, 701f, 601f, 501f, 401f, 301f, 201f, 101f, 1f), timesteps);
        assertEquals(new Shape(1, 3, 32, 64), result.images().getShape());
        assertTrue(Float.isFinite(result.latents().abs().max().getFloat()));
        GenerationResult baseOnly = base.generate(request, manager);
        double d = OracleFiles.maxAbsDiff(baseOnly.latents(), result.latents());
        assertTrue(d > 1e-3, "the refiner's two steps changed the latents by only " + d);
    }

    @Test
    void aBatchOfSeedsGivesTheSameImagesAsSingleRuns() {
        GenerationResult batch = base.generate(request(7).seeds(7, 8).build(), manager);
        assertEquals(new Shape(2, 3, 32, 64), batch.images().getShape());
        double d0 = OracleFiles.maxAbsDiff(batch.latents().get(0), base.generate(request(7).build(), manager)
                .latents().get(0));
        double d1 = OracleFiles.maxAbsDiff(batch.latents().get(1), base.generate(request(8).build(), manager)
                .latents().get(0));
        assertTrue(d0 <= 1e-4 && d1 <= 1e-4, "batch items differ from single runs by " + d0 + ", " + d1);
    }

    @Test
    void ensembleAskedForLatentsOnlyDoesNotDecode() {
        ExpertEnsemble ensemble = new ExpertEnsemble(base, refiner);
        GenerationResult decoded = ensemble.generate(request(4).steps(10).build(), 0.8, manager, StepListener.NONE,
                Cancellation.NONE);
        GenerationResult latentsOnly = ensemble.generate(request(4).steps(10).decode(false).build(), 0.8, manager,
                StepListener.NONE, Cancellation.NONE);
        GenerationResult refinedLatents = ensemble.refine(request(4).decode(false).build(), 0.5, manager,
                StepListener.NONE, Cancellation.NONE);
        assertNull(latentsOnly.images());
        assertNull(refinedLatents.images());
        assertEquals(0, OracleFiles.maxAbsDiff(decoded.latents(), latentsOnly.latents()));
        assertEquals(new Shape(1, 4, 4, 8), refinedLatents.latents().getShape());
    }

    @Test
    void absentNegativePromptIsZeroConditioningButAnEmptyOneIsEncoded() {
        GenerationRequest absent = request(5).decode(false).build();
        GenerationRequest empty = request(5).negativePrompt("").decode(false).build();
        float[] ids = {32, 64, 0, 0, 32, 64};
        try (NDManager scope = manager.newSubManager()) {
            PromptEmbeddings cond = baseModel.promptEncoder().encode(absent.prompts(), scope);
            PromptEmbeddings uncond = baseModel.promptEncoder().encode(List.of(""), scope);
            assertTrue(OracleFiles.maxAbs(uncond.hiddenStates()) > 0.1 && OracleFiles.maxAbs(uncond.pooled()) > 0.01);
            NDArray zeros = byHand(baseModel, base, absent, cond, cond.hiddenStates().zerosLike(),
                    cond.pooled().zerosLike(), ids, ids, scope);
            NDArray encoded = byHand(baseModel, base, empty, cond, uncond.hiddenStates(), uncond.pooled(), ids, ids,
                    scope);
            double dAbsent = OracleFiles.maxAbsDiff(base.generate(absent, scope).latents(), zeros);
            double dEmpty = OracleFiles.maxAbsDiff(base.generate(empty, scope).latents(), encoded);
            double apart = OracleFiles.maxAbsDiff(zeros, encoded);
            System.out.printf("sdxl negative conditioning: absent vs zeros %.2e, \"\" vs encoded %.2e, apart %.2e%n",
                    dAbsent, dEmpty, apart);
            assertTrue(dAbsent <= SAME, "no negative prompt: not zero conditioning, off by " + dAbsent);
            assertTrue(dEmpty <= SAME, "negative prompt \"\": not its encoding, off by " + dEmpty);
            assertTrue(apart > 1e-3, "zero and encoded unconditional embeddings give the same latents");
        }
    }

    @Test
    void refinerTimeIdsCarryTheAestheticScores() {
        assertEquals(SdxlFolders.POOLED_DIM + 5 * SdxlFolders.TIME_EMBED_DIM,
                refiner.traits().unet().projectionClassEmbeddingsInputDim());
        try (NDManager scope = manager.newSubManager()) {
            NDArray start = base.generate(request(9).decode(false).build(), scope).latents();
            GenerationRequest refine = request(9).initImage(start, 0.5).aestheticScores(7, 1.5).decode(false)
                    .build();
            PromptEmbeddings cond = refinerModel.promptEncoder().encode(refine.prompts(), scope);
            assertEquals(32, cond.hiddenStates().getShape().get(2));
            PromptEmbeddings uncond = refinerModel.promptEncoder().encode(List.of(""), scope);
            // (original_h, original_w, crop_top, crop_left, aesthetic_score)
            NDArray expected = byHand(refinerModel, refiner, refine, cond, uncond.hiddenStates(), uncond.pooled(),
                    new float[] {32, 64, 0, 0, 7}, new float[] {32, 64, 0, 0, 1.5f}, scope);
            NDArray refined = refiner.generate(refine, scope).latents();
            double d = OracleFiles.maxAbsDiff(refined, expected);
            assertTrue(d <= SAME, "refiner time ids are not (h, w, top, left, score): off by " + d);
            NDArray otherScores = refiner.generate(request(9).initImage(start, 0.5).decode(false).build(), scope)
                    .latents();
            assertTrue(OracleFiles.maxAbsDiff(refined, otherScores) > 1e-4, "aesthetic scores have no effect");
        }
    }

    @Test
    void refinerFolderWithoutAestheticsScoreIsRefusedBeforeDenoising() throws IOException {
        try (LatentDiffusionPipeline wrong = LatentDiffusionPipeline.load(SdxlFolders.refiner(dir, false),
                ModelOptions.defaults())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> wrong.generate(request(1).build(), manager));
            assertTrue(e.getMessage().contains("requires_aesthetics_score"), e.getMessage());
        }
    }

    @Test
    void tokenizer2PadsWithTheExclamationMark() {
        assertEquals(999, baseModel.promptEncoder().tokenizer().padTokenId());
        ClipTokenizer second = ClipTokenizer.load(dir.resolve("sdxl-base/tokenizer_2"));
        assertEquals(0, second.padTokenId());
        long[] ids = second.encode("a red circle");
        int n = second.tokenCount("a red circle");
        assertEquals(999, ids[n - 1]);
        assertEquals(0, ids[n]);
        assertEquals(0, ids[ids.length - 1]);
    }

    /**
     * The guided txt2img or img2img run of {@code request} with the given unconditional half and time ids, assembled
     * from the pipeline's sampler, UNet and seeded noise as diffusers' SDXL pipelines order them.
     */
    private static NDArray byHand(LocalModel model, LatentDiffusionPipeline pipeline, GenerationRequest request, PromptEmbeddings cond,
                                  NDArray negHidden, NDArray negPooled, float[] ids, float[] negIds,
                                  NDManager scope) {
        Sampler sampler = pipeline.sampler(request);
        Schedule schedule = sampler.schedule(request.steps());
        NoiseSource noise = NoiseSource.seeded(request.seeds());
        Shape shape = new Shape(1, 4, request.heightPx() / 8, request.widthPx() / 8);
        NDArray x;
        if (request.initImage() == null) {
            x = noise.next(shape, scope).mul(schedule.initNoiseSigma());
        } else {
            schedule = schedule.forStrength(request.strength());
            x = sampler.addNoise(request.initImage(), noise.next(shape, scope), schedule, schedule.beginIndex());
        }
        UNetDenoiser denoiser = new UNetDenoiser(model.unet(), negHidden.concat(cond.hiddenStates(), 0),
                negPooled.concat(cond.pooled(), 0),
                SdxlConditioning.batch(negIds, 1, scope).concat(SdxlConditioning.batch(ids, 1, scope), 0), null,
                true, request.guidanceScale(), 0);
        return sampler.sample(denoiser, x, schedule, noise, StepListener.NONE);
    }
}
