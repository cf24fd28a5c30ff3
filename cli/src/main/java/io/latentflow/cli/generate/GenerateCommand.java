package io.latentflow.cli.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentflow.cli.SamplingOptions;
import io.latentflow.core.image.ImageTensors;
import io.latentflow.core.image.ImageParameters;
import io.latentflow.core.image.PngFiles;
import io.latentflow.core.image.PngText;
import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.pipeline.ExpertEnsemble;
import io.latentflow.core.pipeline.GenerationRequest;
import io.latentflow.core.pipeline.InvalidGenerationException;
import io.latentflow.core.pipeline.GenerationResult;
import io.latentflow.core.pipeline.LatentDiffusionPipeline;
import io.latentflow.core.sampling.Cancellation;
import io.latentflow.core.sampling.NoiseSource;
import io.latentflow.core.sampling.StepListener;
import io.latentflow.core.tensor.SafetensorsReader;
import io.latentflow.core.tensor.SafetensorsWriter;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;

/** {@code latentflow generate}: one generation in this JVM from a diffusers pipeline folder, written as PNG. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = {
        "Generate an image in-process (no services): txt2img, img2img (--init-image), inpainting (--mask),",
        "base + refiner (--refiner with --denoising-end). Progress goes to stderr."})
public final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "diffusers pipeline folder")
    Path model;

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--init-image", paramLabel = "PNG", description = "img2img / inpainting start image")
    Path initImage;

    @Option(names = "--mask", paramLabel = "PNG", description = "inpainting mask, white = repaint")
    Path mask;

    @Option(names = "--refiner", paramLabel = "DIR", description = "second expert's pipeline folder")
    Path refiner;

    @Option(names = "--initial-latents", paramLabel = "F.safetensors", description = "txt2img starting latents (first tensor)")
    Path initialLatents;

    @Option(names = "--noise", paramLabel = "F.safetensors", description = "recorded noise draws, replayed in name order")
    Path noise;

    @Option(names = "--output-latents", paramLabel = "F.safetensors", description = "also write the final latents")
    Path outputLatents;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu | gpu | auto (default ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--dtype", defaultValue = "float32",
            description = "float32 | float16 for the UNet and text encoders; a VAE with force_upcast stays float32 (default ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--out", required = true, paramLabel = "OUT.png", description = "output PNG")
    Path out;

    @Override
    public Integer call() {
        PrintStream err = System.err;
        if (sampling.prompt() == null) {
            err.println("error: --prompt: required");
            return 2;
        }
        long usedSeed = sampling.seed() != null ? sampling.seed() : new SecureRandom().nextLong() & Long.MAX_VALUE;
        try (NDManager manager = NDManager.newBaseManager()) {
            GenerationRequest.Builder builder = sampling.toCore(usedSeed);
            if (initialLatents != null) {
                builder.initialLatents(firstTensor(initialLatents, manager));
            }
            if (noise != null) {
                builder.noise(NoiseSource.replay(tensorsInNameOrder(noise, manager)));
            }
            if (initImage != null) {
                NDArray image = ImageTensors.toTensor(PngFiles.read(initImage), manager);
                builder.initImage(image, sampling.strength(mask != null));
            }
            if (mask != null) {
                builder.mask(ImageTensors.maskToTensor(PngFiles.read(mask), manager));
            }
            GenerationRequest request = builder.build();
            // on a terminal a progress bar with speed and ETA, elsewhere a line per step
            ProgressBar bar = System.console() == null ? null : new ProgressBarBuilder().setTaskName("steps")
                    .setConsumer(new ConsoleProgressBarConsumer(err)).setUpdateIntervalMillis(250).build();
            StepListener progress = (i, total, t, latents, x0) -> {
                if (bar == null) {
                    err.printf("step %d/%d  t=%.1f%n", i + 1, total, t);
                } else {
                    bar.maxHint(total);
                    bar.stepTo(i + 1);
                }
            };
            ModelOptions options = ModelOptions.of(device, dtype);
            GenerationResult result;
            String sampler;
            try (bar; LatentDiffusionPipeline base = LatentDiffusionPipeline.load(model, options)) {
                sampler = base.traits().samplerDisplayName(request.sampler(), request.samplerOptions().karras());
                if (refiner == null) {
                    result = base.generate(request, manager, progress, Cancellation.NONE);
                } else {
                    try (LatentDiffusionPipeline second = LatentDiffusionPipeline.load(refiner, options)) {
                        result = new ExpertEnsemble(base, second)
                                .generate(request, sampling.denoisingEnd(), manager, progress, Cancellation.NONE);
                    }
                }
            }
            BufferedImage image = ImageTensors.toImage(result.images().get(0));
            ImageParameters parameters = new ImageParameters(sampling.prompt(),
                    Objects.requireNonNullElse(request.negativePrompts(), List.of("")).get(0), request.steps(), sampler,
                    request.guidanceScale(), usedSeed, image.getWidth(), image.getHeight(),
                    model.toAbsolutePath().normalize().getFileName().toString());
            PngFiles.write(image, out, Map.of(PngText.PARAMETERS, parameters.toText()));
            if (outputLatents != null) {
                SafetensorsWriter.write(outputLatents, Map.of("latents", result.latents()));
            }
            System.out.println("wrote " + out + " (seed " + usedSeed + ")");
            return 0;
        } catch (InvalidGenerationException e) {
            err.println("error: " + option(e.field()) + ": " + e.reason());
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
    }

    /** This command's option for a request field of core's rules. */
    static String option(String field) {
        return field.equals("guidance_scale") ? "--guidance" : "--" + field.replace('_', '-');
    }

    private static NDArray firstTensor(Path file, NDManager manager) {
        List<NDArray> tensors = tensorsInNameOrder(file, manager);
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("no tensor in " + file);
        }
        return tensors.get(0);
    }

    /** Tensors sorted by name, numeric parts compared as numbers (noise.2 before noise.10). */
    static List<NDArray> tensorsInNameOrder(Path file, NDManager manager) {
        Map<String, NDArray> tensors = SafetensorsReader.read(file, manager);
        List<String> names = new ArrayList<>(tensors.keySet());
        names.sort(Comparator.comparing(GenerateCommand::naturalKey));
        List<NDArray> out = new ArrayList<>();
        for (String n : names) {
            out.add(tensors.get(n));
        }
        return out;
    }

    private static String naturalKey(String name) {
        StringBuilder key = new StringBuilder();
        StringBuilder digits = new StringBuilder();
        for (char c : (name + "\0").toCharArray()) {
            if (Character.isDigit(c)) {
                digits.append(c);
            } else {
                if (digits.length() > 0) {
                    key.append(String.format("%020d", Long.parseLong(digits.toString())));
                    digits.setLength(0);
                }
                key.append(c);
            }
        }
        return key.toString();
    }
}
