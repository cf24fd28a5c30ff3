package io.latentflow.core.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentflow.core.image.ImageTensors;
import io.latentflow.core.image.PngFiles;
import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.sampling.Cancellation;
import io.latentflow.core.sampling.NoiseSource;
import io.latentflow.core.sampling.OracleFiles;
import io.latentflow.core.sampling.RecordedNoise;
import io.latentflow.core.sampling.Sampler;
import io.latentflow.core.sampling.SamplerOptions;
import io.latentflow.core.sampling.StepListener;
import io.latentflow.core.schedule.Schedule;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The in-process pipeline against oracle/pipeline_sd_tiny: every step in isolation (recorded latents in, latents
 * out, max abs error <= 1e-4 * max(1, max |x|)), the whole run step by step and its final latents and image
 * (<= 1e-3), uint8 output within 1 level. Runs replay the recorded noise, except the img2img and inpainting runs
 * "from seed", which draw their noise from the seed alone.
 */
class PipelineOracleTest {
    private static final Map<String, double[]> FIGURES = new TreeMap<>();
    private static NDManager manager;
    private static Map<String, NDArray> t;
    private static LocalModel model;
    private static LatentDiffusionPipeline pipeline;

    @BeforeAll
    static void load() throws IOException {
        manager = NDManager.newBaseManager();
        Path folder = OracleFiles.root().resolve("pipeline_sd_tiny");
        t = OracleFiles.tensors(folder.resolve("cases.safetensors"), manager);
        model = LocalModel.load(folder, ModelOptions.defaults());
        pipeline = LatentDiffusionPipeline.of(model);
    }

    @AfterAll
    static void close() {
        pipeline.close();
        manager.close();
        System.out.println("pipeline oracle max errors: isolated step (scaled) | run steps (scaled) | final latents"
                + " (scaled) | image | uint8 levels");
        FIGURES.forEach((k, v) -> System.out.printf("  %-26s %.2e %.2e %.2e %.2e %.0f%n", k, v[0], v[1], v[2], v[3], v[4]));
    }

    @Test
    void txt2img() {
        GenerationRequest request = GenerationRequest.builder("a red circle on a blue background")
                .negativePrompt("").steps(10).guidance(7.5f).size(64, 64)
                .initialLatents(t.get("case0.init_latents_given")).build();
        check("case0", "txt2img", request, null);
    }

    @Test
    void txt2imgWithGuidanceRescale() {
        GenerationRequest request = GenerationRequest.builder("a red circle on a blue background")
                .negativePrompt("blurry, low quality").steps(10).guidance(7.5f).guidanceRescale(0.7f)
                .initialLatents(t.get("case1.init_latents_given")).build();
        check("case1", "txt2img_guidance_rescale", request, null);
    }

    @Test
    void img2img() {
        NDArray image = ImageTensors.toTensor(imageOf(t.get("case2.init_image_uint8")), manager);
        assertEquals(0, OracleFiles.maxAbsDiff(image, t.get("case2.init_image")), 1e-7);
        GenerationRequest request = GenerationRequest.builder("a red circle on a blue background")
                .negativePrompt("").steps(10).guidance(7.5f).initImage(image, 0.6)
                .noise(new RecordedNoise(List.of(t.get("case2.noise_vae_posterior"), t.get("case2.noise"))))
                .build();
        check("case2", "img2img", request, null);
    }

    @Test
    void img2imgFromItsSeedAloneDrawsDiffusersNoise() {
        // no recorded noise: seed 11401 must reproduce both of diffusers' draws (VAE posterior, then add_noise)
        NDArray image = ImageTensors.toTensor(imageOf(t.get("case2.init_image_uint8")), manager);
        GenerationRequest request = GenerationRequest.builder("a red circle on a blue background")
                .negativePrompt("").steps(10).guidance(7.5f).initImage(image, 0.6).seeds(11401).build();
        check("case2", "img2img_from_seed", request, null);
    }

    @Test
    void inpaintingWithFourChannelUnet() {
        checkInpainting("inpaint_legacy_4ch", builder -> builder.noise(new RecordedNoise(List.of(
                t.get("case3.noise_vae_posterior"), t.get("case3.noise"), t.get("case3.noise_vae_posterior_masked")))));
    }

    @Test
    void inpaintingFromItsSeedAloneDrawsDiffusersNoise() {
        // no recorded noise: seed 11501 must reproduce diffusers' three draws (image posterior, noise, masked posterior)
        checkInpainting("inpaint_from_seed", builder -> builder.seeds(11501));
    }

    private void checkInpainting(String figure, UnaryOperator<GenerationRequest.Builder> noise) {
        NDArray image = ImageTensors.toTensor(imageOf(t.get("case3.init_image_uint8")), manager);
        NDArray mask = ImageTensors.maskToTensor(maskOf(t.get("case3.mask_image_uint8")), manager);
        assertEquals(0, OracleFiles.maxAbsDiff(mask, t.get("case3.mask_condition")));
        assertEquals(0, OracleFiles.maxAbsDiff(Masks.nearestDownsample(mask, 8, 8), t.get("case3.mask_latent")));
        GenerationRequest request = noise.apply(GenerationRequest.builder("a green triangle")
                .negativePrompt("").steps(10).guidance(7.5f).initImage(image, 1.0).mask(mask)).build();
        NDArray maskLatent = t.get("case3.mask_latent");
        NDArray imageLatents = t.get("case3.image_latents");
        NDArray recordedNoise = t.get("case3.noise");
        check("case3", figure, request, (sampler, schedule) -> (index, x) -> {
            NDArray proper = index < schedule.endIndex() - 1
                    ? sampler.addNoise(imageLatents, recordedNoise, schedule, index + 1) : imageLatents;
            return maskLatent.mul(-1).add(1).mul(proper).add(maskLatent.mul(x));
        });
    }

    @Test
    void pngRoundTripMatchesThePipelineOutput(@TempDir Path dir) {
        GenerationRequest request = GenerationRequest.builder("a red circle on a blue background")
                .negativePrompt("").steps(10).guidance(7.5f)
                .initialLatents(t.get("case0.init_latents_given")).build();
        try (NDManager scope = manager.newSubManager()) {
            GenerationResult result = pipeline.generate(request, scope);
            Path file = dir.resolve("out.png");
            PngFiles.write(ImageTensors.toImage(result.images().get(0)), file);
            BufferedImage written = PngFiles.read(file);
            BufferedImage expected = PngFiles.read(OracleFiles.root().resolve("pipeline_sd_tiny/case0_txt2img.png"));
            int worst = 0;
            for (int y = 0; y < 64; y++) {
                for (int x = 0; x < 64; x++) {
                    int a = written.getRGB(x, y);
                    int b = expected.getRGB(x, y);
                    for (int shift = 0; shift <= 16; shift += 8) {
                        worst = Math.max(worst, Math.abs(((a >> shift) & 0xff) - ((b >> shift) & 0xff)));
                    }
                }
            }
            assertTrue(worst <= 1, "PNG differs by " + worst + " levels");
        }
    }

    @Test
    void invalidRequestsFailBeforeAnyWorkNamingTheOption() {
        NDArray image = t.get("case2.init_image");
        assertRefused("steps", "must be >= 1", () -> GenerationRequest.builder("x").steps(0).build());
        assertRefused("strength", "(0, 1]", () -> GenerationRequest.builder("x").initImage(image, 1.5).build());
        assertRefused("sampler", "euler-a", () -> GenerationRequest.builder("x").sampler("heun").build());
        assertRefused("denoising_end", "(0, 1)", () -> GenerationRequest.builder("x").denoisingEnd(1.2).build());
        assertRefused("eta", "ddim only", () -> GenerationRequest.builder("x").sampler("euler")
                .samplerOptions(new SamplerOptions(0.5, null)).build());
        assertRefused("karras", "euler, dpmpp-2m", () -> GenerationRequest.builder("x").sampler("ddim")
                .samplerOptions(new SamplerOptions(0, true)).build());
        assertRefused("guidance_rescale", "[0, 1]", () -> GenerationRequest.builder("x").guidanceRescale(2).build());
        assertRefused("mask", "init_image", () -> GenerationRequest.builder("x").mask(image).build());
        assertRefused("strength", "no denoising step", () -> pipeline.generate(
                GenerationRequest.builder("x").steps(1).initImage(image, 0.5).build(), manager));
        assertRefused("width", "multiple of 8", () -> pipeline.generate(
                GenerationRequest.builder("x").size(60, 64).build(), manager));
        // leading spacing with steps_offset 1: 1000 steps would start at t = 1000
        assertRefused("steps", "training schedule", () -> pipeline.plannedSteps(
                GenerationRequest.builder("x").sampler("ddim").steps(1000).build()));
        assertEquals(999, pipeline.plannedSteps(GenerationRequest.builder("x").sampler("ddim").steps(999).build()));
    }

    private static void assertRefused(String field, String reason, Executable request) {
        InvalidGenerationException e = assertThrows(InvalidGenerationException.class, request);
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.reason().contains(reason), e.getMessage());
    }

    @Test
    void cancellationStopsTheRunAndListenerSeesProgress() {
        GenerationRequest request = GenerationRequest.builder("x").steps(10).seeds(3).build();
        int[] seen = {0};
        StepListener listener = (i, total, ts, latents, x0) -> {
            assertEquals(10, total);
            seen[0]++;
        };
        Cancellation afterTwo = () -> seen[0] >= 2;
        assertThrows(java.util.concurrent.CancellationException.class,
                () -> pipeline.generate(request, manager, listener, afterTwo));
        assertEquals(2, seen[0]);
    }

    @Test
    void aGenerationLeavesOnlyImagesAndLatentsInTheCallersManager() {
        try (NDManager scope = manager.newSubManager()) {
            NDArray image = t.get("case3.init_image");
            NDArray mask = t.get("case3.mask_condition");
            int before = scope.getManagedArrays().size();
            pipeline.generate(GenerationRequest.builder("x").steps(2).seeds(9).initImage(image, 0.9).mask(mask)
                    .build(), scope);
            assertEquals(before + 2, scope.getManagedArrays().size());
        }
    }

    @Test
    void aSeedGivesTheSameImageAloneAndInABatchOfFour() {
        try (NDManager scope = manager.newSubManager()) {
            GenerationResult alone = pipeline.generate(GenerationRequest.builder("a red circle")
                    .steps(4).seeds(42).sampler("euler-a").build(), scope);
            GenerationResult batch = pipeline.generate(GenerationRequest.builder("a red circle")
                    .steps(4).seeds(1, 2, 42, 4).sampler("euler-a").build(), scope);
            double d = OracleFiles.maxAbsDiff(alone.latents().get(0), batch.latents().get(2));
            assertTrue(d <= 1e-4, "alone vs batch " + d);
        }
    }

    interface BlendFactory {
        Sampler.StepBlend create(Sampler sampler, Schedule schedule);
    }

    private void check(String c, String figure, GenerationRequest request, BlendFactory blends) {
        double[] fig = new double[5];
        try (NDManager scope = manager.newSubManager()) {
            NDArray expectedSteps = t.get(c + ".step_latents");
            NDArray expectedTimesteps = t.get(c + ".timesteps");
            // 1. the whole run, step by step
            int[] step = {0};
            StepListener listener = (i, total, ts, latents, x0) -> {
                assertEquals(expectedTimesteps.toLongArray()[i], (long) ts);
                fig[1] = Math.max(fig[1], scaled(latents, expectedSteps.get(i)));
                step[0]++;
            };
            GenerationResult result = pipeline.generate(request, scope, listener, Cancellation.NONE);
            assertEquals(expectedTimesteps.getShape().get(0), step[0]);
            fig[2] = scaled(result.latents(), t.get(c + ".expected_latents"));
            NDArray expectedImage = t.get(c + ".expected_image").transpose(0, 3, 1, 2);
            fig[3] = OracleFiles.maxAbsDiff(result.images(), expectedImage);
            float[] ours = result.images().toFloatArray();
            byte[] theirs = t.get(c + ".expected_image_uint8").transpose(0, 3, 1, 2).toByteArray();
            for (int i = 0; i < ours.length; i++) {
                fig[4] = Math.max(fig[4], Math.abs(ImageTensors.toByte(ours[i]) - (theirs[i] & 0xff)));
            }

            // 2. each step in isolation: recorded latents in, one step of the pipeline's UNet + sampler out
            Sampler sampler = pipeline.sampler(request);
            Schedule full = sampler.schedule(10);
            int begin = (int) (full.timesteps().length - expectedTimesteps.getShape().get(0));
            NDArray hidden = t.get(c + ".negative_prompt_embeds").concat(t.get(c + ".prompt_embeds"), 0);
            UNetDenoiser denoiser = new UNetDenoiser(model.unet(), hidden, null, null, null, true,
                    request.guidanceScale(), request.guidanceRescale());
            NDArray before = c.equals("case2") ? t.get("case2.noisy_init_latents")
                    : c.equals("case3") ? t.get("case3.initial_latents") : t.get(c + ".init_latents_given");
            for (int i = 0; i < step[0]; i++) {
                Schedule window = full.window(begin + i, begin + i + 1);
                Sampler.StepBlend blend = blends == null ? null : blends.create(sampler, full);
                NDArray after = sampler.sample(denoiser, before, window, NoiseSource.seeded(0), StepListener.NONE,
                        Cancellation.NONE, blend);
                fig[0] = Math.max(fig[0], scaled(after, expectedSteps.get(i)));
                before = expectedSteps.get(i);
            }
        }
        FIGURES.put(figure, fig);
        assertTrue(fig[0] <= 1e-4, c + " isolated step error " + fig[0]);
        assertTrue(fig[1] <= 1e-3, c + " run step error " + fig[1]);
        assertTrue(fig[2] <= 1e-3, c + " final latents error " + fig[2]);
        assertTrue(fig[3] <= 1e-3, c + " image error " + fig[3]);
        assertTrue(fig[4] <= 1, c + " uint8 error " + fig[4]);
    }

    private static double scaled(NDArray actual, NDArray expected) {
        return OracleFiles.maxAbsDiff(actual, expected) / Math.max(1, OracleFiles.maxAbs(expected));
    }

    private static BufferedImage imageOf(NDArray nhwc) {
        byte[] data = nhwc.toByteArray();
        int h = (int) nhwc.getShape().get(1);
        int w = (int) nhwc.getShape().get(2);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int o = (y * w + x) * 3;
                img.setRGB(x, y, ((data[o] & 0xff) << 16) | ((data[o + 1] & 0xff) << 8) | (data[o + 2] & 0xff));
            }
        }
        return img;
    }

    private static BufferedImage maskOf(NDArray nhw) {
        byte[] data = nhw.toByteArray();
        int h = (int) nhw.getShape().get(1);
        int w = (int) nhw.getShape().get(2);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = data[y * w + x] & 0xff;
                img.setRGB(x, y, (v << 16) | (v << 8) | v);
            }
        }
        return img;
    }
}
