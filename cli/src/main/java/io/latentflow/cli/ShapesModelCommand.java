package io.latentflow.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code latentflow shapes-model}: reproduces the shipped shapes model from nothing with the project's own jobs:
 * the dataset, a scaffold with a tokenizer learnt from its captions, the VAE, UNet + text encoder and refiner
 * training runs through the services, and the published models copied into models/ as float16.
 */
@Command(name = "shapes-model", mixinStandardHelpOptions = true,
    description = "Train the shapes model from nothing (dataset, VAE, UNet + text encoder, refiner) and ship it.")
public final class ShapesModelCommand implements Callable<Integer> {

    @Option(names = "--work", defaultValue = ".latentflow/shapes-model", description = "local scratch folder (default ${DEFAULT-VALUE})")
    Path work;

    @Option(names = "--images", defaultValue = "4000", description = "dataset size (default ${DEFAULT-VALUE})")
    int images;

    @Option(names = "--vae-steps", defaultValue = "2500")
    int vaeSteps;

    @Option(names = "--unet-steps", defaultValue = "4000")
    int unetSteps;

    @Option(names = "--unet-continue-steps", defaultValue = "2500")
    int unetContinueSteps;

    @Option(names = "--refiner-steps", defaultValue = "500")
    int refinerSteps;

    @Option(names = "--out", defaultValue = "models", description = "where the shipped folders go (default ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() {
        Path dataset = work.resolve("dataset");
        Path scaffold = work.resolve("shapes-init");
        List<List<String>> steps = List.of(
            List.of("stack", "up"),
            List.of("services", "up"),
            List.of("dataset", "shapes", "--out", dataset.toString(), "--count", Integer.toString(images),
                "--seed", "1"),
            List.of("dataset", "upload", dataset.toString(), "--name", "shapes", "--replace",
                "--model", scaffold.toString()),
            List.of("model", "upload", scaffold.toString(), "--name", "shapes-init", "--version", "1"),
            List.of("train", "--kind", "vae", "--dataset", "shapes", "--base-model", "shapes-init:1",
                "--output-model", "shapes-vae:1", "--from-scratch", "--max-train-steps", Integer.toString(vaeSteps),
                "--train-batch-size", "8", "--learning-rate", "1e-3", "--lr-scheduler", "cosine",
                "--lr-warmup-steps", "50", "--checkpointing-steps", "200", "--seed", "1", "--run-id", "shapes-vae-1"),
            List.of("train", "--kind", "unet", "--dataset", "shapes", "--base-model", "shapes-vae:1",
                "--output-model", "shapes:1", "--from-scratch", "--train-text-encoder",
                "--max-train-steps", Integer.toString(unetSteps), "--train-batch-size", "32",
                "--learning-rate", "1e-3", "--lr-scheduler", "cosine", "--lr-warmup-steps", "100", "--use-ema",
                "--ema-decay", "0.999", "--snr-gamma", "5", "--conditioning-dropout-prob", "0.1",
                "--checkpointing-steps", "400", "--validation-prompt", "a large red circle on a green background",
                "--seed", "1", "--run-id", "shapes-unet-1"),
            // a second, gentler pass over the same data: the first pass ends with shapes placed poorly
            List.of("train", "--kind", "unet", "--dataset", "shapes", "--base-model", "shapes:1",
                "--output-model", "shapes:2", "--train-text-encoder", "--max-train-steps",
                Integer.toString(unetContinueSteps), "--train-batch-size", "32", "--learning-rate", "3e-4",
                "--lr-scheduler", "cosine", "--lr-warmup-steps", "50", "--use-ema", "--ema-decay", "0.999",
                "--snr-gamma", "5", "--conditioning-dropout-prob", "0.1", "--checkpointing-steps", "500",
                "--validation-prompt", "a small red circle on a green background, bottom left", "--seed", "3",
                "--run-id", "shapes-unet-1b"),
            List.of("train", "--kind", "refiner", "--dataset", "shapes", "--base-model", "shapes:2",
                "--output-model", "shapes-refiner:1", "--max-train-steps", Integer.toString(refinerSteps),
                "--train-batch-size", "32", "--learning-rate", "2e-4", "--use-ema", "--ema-decay", "0.99",
                "--snr-gamma", "5", "--checkpointing-steps", "200", "--seed", "2", "--run-id", "shapes-refiner-1"),
            List.of("model", "download", "--name", "shapes", "--version", "2", "--out",
                out.resolve("shapes/1").toString(), "--float16"),
            List.of("model", "download", "--name", "shapes-refiner", "--version", "1", "--out",
                out.resolve("shapes-refiner/1").toString(), "--float16"));
        // the scaffold needs the dataset's captions: it comes right after the dataset is written
        List<String> scaffoldStep = List.of("model", "scaffold", "--dataset", dataset.toString(), "--out",
            scaffold.toString());
        for (int i = 0; i < steps.size(); i++) {
            if (i == 3 && run(scaffoldStep) != 0) {
                return 1;
            }
            if (run(steps.get(i)) != 0) {
                return 1;
            }
        }
        System.out.println("shipped " + out.resolve("shapes/1") + " and " + out.resolve("shapes-refiner/1"));
        return 0;
    }

    private static int run(List<String> args) {
        System.out.println("== ./latentflow " + String.join(" ", args));
        int status = Main.commandLine().execute(args.toArray(String[]::new));
        if (status != 0) {
            System.err.println("shapes-model: step failed with status " + status + ": " + String.join(" ", args));
        }
        return status;
    }
}
