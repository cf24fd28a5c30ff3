package io.latentflow.cli.evaluate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentflow.core.dataset.Composition;
import io.latentflow.core.dataset.Position;
import io.latentflow.core.dataset.ShapeAnalyser;
import io.latentflow.core.dataset.ShapeDrawing;
import io.latentflow.core.dataset.ShapeKind;
import io.latentflow.core.dataset.ShapeSize;
import io.latentflow.core.dataset.ShapeSpec;
import io.latentflow.core.dataset.ShapesDataset;
import io.latentflow.core.dataset.Colour;
import io.latentflow.core.image.ImageTensors;
import io.latentflow.core.image.PngFiles;
import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.pipeline.ExpertEnsemble;
import io.latentflow.core.pipeline.GenerationRequest;
import io.latentflow.core.pipeline.GenerationRules;
import io.latentflow.core.pipeline.GenerationResult;
import io.latentflow.core.pipeline.LatentDiffusionPipeline;
import io.latentflow.core.pipeline.LocalModel;
import io.latentflow.core.sampling.Cancellation;
import io.latentflow.core.sampling.StepListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * {@code latentflow evaluate}: generates images for prompts of the shapes grammar and scores them with
 * {@link ShapeAnalyser}, printing per-attribute accuracy for seen and held-out (colour, shape, background) triples
 * and writing a contact sheet of the images it scored (a green frame where every attribute matched, red otherwise).
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Score a model on prompts of the shapes grammar, seen and held-out triples apart.")
public final class EvaluateCommand implements Callable<Integer> {

    private static final String[] ATTRIBUTES = {"background", "colour", "shape", "size", "position"};

    @Option(names = "--model", required = true, description = "a model name under models/ (highest version) or a folder")
    String model;

    @Option(names = "--refiner", description = "the refiner: a name under models/ or a folder")
    String refiner;

    @Option(names = "--denoising-end", defaultValue = "" + GenerationRules.DEFAULT_DENOISING_END, description = "base/refiner split (default ${DEFAULT-VALUE})")
    double denoisingEnd;

    @Option(names = "--prompts", description = "a file of captions, one per line")
    Path prompts;

    @Option(names = "--sample", defaultValue = "100", description = "random captions when no --prompts (default ${DEFAULT-VALUE}), half of them held-out triples")
    int sample;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the captions and of the images (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--guidance", defaultValue = "" + GenerationRules.DEFAULT_GUIDANCE_SCALE, description = "classifier-free guidance scale (default ${DEFAULT-VALUE})")
    float guidance;

    @Option(names = "--steps", defaultValue = "" + GenerationRules.DEFAULT_STEPS, description = "sampling steps (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--reconstruct", description = "score the VAE alone: each prompt's exact drawing encoded and decoded"
        + " (the upper bound of what the pipeline can score)")
    boolean reconstruct;

    @Option(names = "--sheet", defaultValue = "evaluate-sheet.png", description = "contact sheet PNG (default ${DEFAULT-VALUE})")
    Path sheet;

    @Override
    public Integer call() throws IOException {
        List<ShapeSpec> specs = prompts != null ? read(prompts) : sample(sample, seed);
        int[][] correct = new int[2][ATTRIBUTES.length];
        int[] total = new int[2];
        int[] allCorrect = new int[2];
        List<BufferedImage> images = new ArrayList<>();
        List<Boolean> passed = new ArrayList<>();
        ModelOptions options = ModelOptions.defaults();
        try (LocalModel base = LocalModel.load(folder(model), options);
             LatentDiffusionPipeline second = refiner == null ? null
                     : LatentDiffusionPipeline.load(folder(refiner), options)) {
            LatentDiffusionPipeline pipeline = LatentDiffusionPipeline.of(base);
            for (int i = 0; i < specs.size(); i++) {
                ShapeSpec spec = specs.get(i);
                GenerationRequest request = GenerationRequest.builder(spec.caption()).size(64, 64).steps(steps)
                        .guidance(guidance).seeds(seed + i).build();
                BufferedImage image;
                try (NDManager manager = NDManager.newBaseManager()) {
                    if (reconstruct) {
                        image = reconstruction(base, spec, manager);
                    } else {
                        GenerationResult result = second == null
                                ? pipeline.generate(request, manager, StepListener.NONE, Cancellation.NONE)
                                : new ExpertEnsemble(pipeline, second).generate(request, denoisingEnd, manager,
                                StepListener.NONE, Cancellation.NONE);
                        image = ImageTensors.toImage(result.images().get(0));
                    }
                }
                boolean[] match = ShapeAnalyser.read(image).matches(spec);
                int group = ShapesDataset.HELD_OUT.contains(spec.composition()) ? 1 : 0;
                total[group]++;
                boolean all = true;
                for (int a = 0; a < match.length; a++) {
                    correct[group][a] += match[a] ? 1 : 0;
                    all &= match[a];
                }
                allCorrect[group] += all ? 1 : 0;
                images.add(image);
                passed.add(all);
            }
        }
        if (reconstruct) {
            System.out.printf("VAE of %s, %d exact drawings encoded and decoded%n", model, specs.size());
        } else {
            System.out.printf("model %s%s, %d prompts, %d steps, guidance %.1f, seed %d%n", model,
                    refiner == null ? "" : " + refiner " + refiner, specs.size(), steps, guidance, seed);
        }
        System.out.printf("%-10s %8s %8s %8s %8s %8s %8s %6s%n", "triples", ATTRIBUTES[0], ATTRIBUTES[1],
                ATTRIBUTES[2], ATTRIBUTES[3], ATTRIBUTES[4], "all", "n");
        String[] groups = {"seen", "held-out"};
        for (int g = 0; g < 2; g++) {
            if (total[g] == 0) {
                continue;
            }
            StringBuilder row = new StringBuilder(String.format("%-10s", groups[g]));
            for (int a = 0; a < ATTRIBUTES.length; a++) {
                row.append(String.format(" %7.1f%%", 100.0 * correct[g][a] / total[g]));
            }
            row.append(String.format(" %7.1f%% %6d", 100.0 * allCorrect[g] / total[g], total[g]));
            System.out.println(row);
        }
        PngFiles.write(contactSheet(images, passed), sheet);
        System.out.println("contact sheet " + sheet.toAbsolutePath());
        return 0;
    }

    /** The drawing of {@code spec} through the VAE: decode(mean of the posterior of encode(image)). */
    private static BufferedImage reconstruction(LocalModel model, ShapeSpec spec, NDManager manager) {
        NDArray image = ImageTensors.toTensor(ShapeDrawing.exact(spec).render(64), manager);
        NDArray decoded = model.vae().decode(model.vae().encode(image).mean());
        return ImageTensors.toImage(ImageTensors.postprocess(decoded).get(0));
    }

    /** A name under the models root (its highest version) or a folder. */
    private static Path folder(String nameOrDir) throws IOException {
        Path dir = Path.of(nameOrDir);
        if (Files.isRegularFile(dir.resolve("model_index.json"))) {
            return dir;
        }
        Path root = Path.of(System.getProperty("latentflow.repo", ".")).resolve("models").resolve(nameOrDir);
        try (var versions = Files.list(root)) {
            return versions.filter(v -> Files.isRegularFile(v.resolve("model_index.json")))
                    .max((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
                    .orElseThrow(() -> new IllegalArgumentException("no model folder " + nameOrDir));
        }
    }

    private static List<ShapeSpec> read(Path file) throws IOException {
        return Files.readAllLines(file).stream().map(String::strip).filter(l -> !l.isEmpty())
                .map(ShapeSpec::parseCaption).toList();
    }

    /** n captions: even ones from the held-out triples, odd ones from the seen ones; size and position at random. */
    static List<ShapeSpec> sample(int n, long seed) {
        Random random = new Random(seed);
        List<ShapeSpec> out = new ArrayList<>();
        while (out.size() < n) {
            Composition c;
            if (out.size() % 2 == 0) {
                c = ShapesDataset.HELD_OUT.get(random.nextInt(ShapesDataset.HELD_OUT.size()));
            } else {
                do {
                    Colour colour = Colour.values()[random.nextInt(Colour.values().length)];
                    Colour background = Colour.values()[random.nextInt(Colour.values().length)];
                    ShapeKind shape = ShapeKind.values()[random.nextInt(ShapeKind.values().length)];
                    c = colour == background ? null : new Composition(colour, shape, background);
                } while (c == null || ShapesDataset.HELD_OUT.contains(c));
            }
            out.add(new ShapeSpec(ShapeSize.values()[random.nextInt(2)], c.colour(), c.shape(), c.background(),
                    Position.values()[random.nextInt(Position.values().length)]));
        }
        return out;
    }

    /** The images in rows of 10, each in a 2-pixel frame: green when all attributes matched, red otherwise. */
    static BufferedImage contactSheet(List<BufferedImage> images, List<Boolean> passed) {
        int cell = 68;
        int columns = Math.min(10, Math.max(1, images.size()));
        int rows = (images.size() + columns - 1) / columns;
        BufferedImage sheet = new BufferedImage(columns * cell, Math.max(1, rows) * cell, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        for (int i = 0; i < images.size(); i++) {
            int x = (i % columns) * cell;
            int y = (i / columns) * cell;
            g.setColor(passed.get(i) ? new Color(40, 200, 60) : new Color(220, 40, 40));
            g.fillRect(x, y, cell, cell);
            g.drawImage(images.get(i), x + 2, y + 2, null);
        }
        g.dispose();
        return sheet;
    }
}
