package io.latentflow.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
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

    private static final String VALIDATION_PROMPT = "a small red circle on a green background, bottom left";
    /** Min-SNR-5 loss weighting (Hang et al. 2023). */
    private static final List<String> MIN_SNR = List.of("--snr-gamma", "5");

    @Option(names = "--work", defaultValue = ".latentflow/shapes-model", description = "local scratch folder (default ${DEFAULT-VALUE})")
    Path work;

    @Option(names = "--images", defaultValue = "4000", description = "dataset size (default ${DEFAULT-VALUE})")
    int images;

    @Option(names = "--vae-steps", defaultValue = "2500")
    int vaeSteps;

    @Option(names = "--unet-steps", defaultValue = "4000")
    int unetSteps;

    @Option(names = "--unet-continue-steps", defaultValue = "2000")
    int unetContinueSteps;

    @Option(names = "--unet-polish-steps", defaultValue = "2000")
    int unetPolishSteps;

    @Option(names = "--epsilon-continue-steps", defaultValue = "2500")
    int epsilonContinueSteps;

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
            // the base, the high-noise expert, predicts v without min-SNR weighting: a misplaced shape costs as much
            // at high noise, where only the prompt says where it goes, as at low noise (epsilon placed 28-62%); two
            // gentler passes follow, the first places shapes, the second draws colours more faithfully
            firstPass("shapes:1", "v_prediction", List.of(), "shapes-unet-1"),
            continuation("shapes:1", "shapes:2", unetContinueSteps, "3e-4", "3", List.of(), "shapes-unet-1b"),
            continuation("shapes:2", "shapes:3", unetPolishSteps, "1.5e-4", "4", List.of(), "shapes-unet-1c"),
            // the refiner, the low-noise expert, comes from an epsilon model with min-SNR weighting, which draws
            // edges and corners sharper (shape class 91% against 83% for an epsilon refiner from the base)
            firstPass("shapes-eps:1", "epsilon", MIN_SNR, "shapes-eps-1"),
            continuation("shapes-eps:1", "shapes-eps:2", epsilonContinueSteps, "3e-4", "3", MIN_SNR, "shapes-eps-1b"),
            List.of("train", "--kind", "refiner", "--dataset", "shapes", "--base-model", "shapes-eps:2",
                "--output-model", "shapes-refiner:1", "--max-train-steps", Integer.toString(refinerSteps),
                "--train-batch-size", "32", "--learning-rate", "2e-4", "--use-ema", "--ema-decay", "0.99",
                "--snr-gamma", "5", "--checkpointing-steps", "200", "--seed", "2", "--run-id", "shapes-refiner-1"),
            List.of("model", "download", "--name", "shapes", "--version", "3", "--out",
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

    /** UNet and text encoder from scratch on the VAE's latents: AdamW lr 1e-3 cosine, EMA, caption dropout. */
    private List<String> firstPass(String output, String predictionType, List<String> weighting, String runId) {
        List<String> args = new ArrayList<>(List.of("train", "--kind", "unet", "--dataset", "shapes",
            "--base-model", "shapes-vae:1", "--output-model", output, "--from-scratch", "--train-text-encoder",
            "--prediction-type", predictionType, "--max-train-steps", Integer.toString(unetSteps),
            "--train-batch-size", "32", "--learning-rate", "1e-3", "--lr-scheduler", "cosine",
            "--lr-warmup-steps", "100", "--use-ema", "--ema-decay", "0.999", "--conditioning-dropout-prob", "0.1",
            "--checkpointing-steps", "400", "--validation-prompt", VALIDATION_PROMPT, "--seed", "1",
            "--run-id", runId));
        args.addAll(weighting);
        return args;
    }

    /** A further UNet + text encoder pass from {@code base} (its prediction type): cosine schedule, EMA. */
    private static List<String> continuation(String base, String output, int steps, String learningRate, String seed,
                                             List<String> weighting, String runId) {
        List<String> args = new ArrayList<>(List.of("train", "--kind", "unet", "--dataset", "shapes",
            "--base-model", base, "--output-model", output, "--train-text-encoder",
            "--max-train-steps", Integer.toString(steps), "--train-batch-size", "32",
            "--learning-rate", learningRate, "--lr-scheduler", "cosine", "--lr-warmup-steps", "50", "--use-ema",
            "--ema-decay", "0.999", "--conditioning-dropout-prob", "0.1", "--checkpointing-steps", "500",
            "--validation-prompt", VALIDATION_PROMPT, "--seed", seed, "--run-id", runId));
        args.addAll(weighting);
        return args;
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
