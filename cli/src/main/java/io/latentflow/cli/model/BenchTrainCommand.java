package io.latentflow.cli.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.model.ComponentWeights;
import io.latentflow.core.schedule.NoiseSchedule;
import io.latentflow.core.schedule.PredictionType;
import io.latentflow.core.schedule.SchedulerConfig;
import io.latentflow.core.train.AdamW;
import io.latentflow.core.train.DiffusionLoss;
import io.latentflow.core.train.GradientClipping;
import io.latentflow.core.train.TrainableParameters;
import io.latentflow.core.train.TrainingStep;
import io.latentflow.core.unet.UNet2dConditionConfig;
import io.latentflow.core.unet.UNet2dConditionModel;
import io.latentflow.core.vae.AutoencoderKl;
import io.latentflow.core.vae.AutoencoderKlConfig;
import io.latentflow.core.vae.DiagonalGaussianDistribution;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * {@code latentflow bench-train}: one training step of a component split into forward (model built over its
 * parameters, loss), backward and optimizer (clipping + AdamW) time, the samples per second that gives, and as the
 * baseline measured in the same run an inference forward pass of the same batch.
 */
@Command(
    name = "bench-train",
    mixinStandardHelpOptions = true,
    description = {
        "Benchmark training steps of a model component on random inputs.",
        "--size is the spatial size of the component's own input: latent size for unet, image size for vae."})
public final class BenchTrainCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "a diffusers pipeline folder")
    Path model;

    @Option(names = "--component", defaultValue = "unet", description = "unet or vae (default ${DEFAULT-VALUE})")
    String component;

    @Option(names = "--batch", defaultValue = "4", description = "batch size (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--size", defaultValue = "8x8", description = "input height x width (default ${DEFAULT-VALUE})")
    String size;

    @Option(names = "--warmup", defaultValue = "2", description = "untimed steps first (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--iterations", defaultValue = "10", description = "timed steps (default ${DEFAULT-VALUE})")
    int iterations;

    /** One timed step: forward, backward, optimizer, and the same batch's inference forward, in ms. */
    private record Timing(double forward, double backward, double optimizer, double inference) {
    }

    /** What a benchmarked component does in one step. */
    private interface Steps {
        /** Builds the model over the parameters and returns the loss, in the step's graph. */
        NDArray loss(TrainingStep step);

        /** A forward pass without gradients over the same batch. */
        void inference(NDManager manager);
    }

    @Override
    public Integer call() {
        String[] hw = size.toLowerCase().split("x");
        if (hw.length != 2) {
            throw new IllegalArgumentException("--size must be HxW, e.g. 8x8, got " + size);
        }
        int height = Integer.parseInt(hw[0].trim());
        int width = Integer.parseInt(hw[1].trim());
        Path dir = model.resolve(component);
        try (NDManager manager = NDManager.newBaseManager();
             TrainableParameters params = TrainableParameters.copyOf(
                     ComponentWeights.read(ComponentWeights.locate(dir), manager, DataType.FLOAT32), manager)) {
            Steps steps = switch (component) {
                case "unet" -> unet(dir, params, manager, height, width);
                case "vae" -> vae(dir, params, manager, height, width);
                default -> throw new IllegalArgumentException("--component must be unet or vae, not " + component);
            };
            AdamW adam = new AdamW(params, new AdamW.Settings(0.9, 0.999, 1e-8, 1e-2, true));
            Timing[] timings = new Timing[iterations];
            for (int i = -warmup; i < iterations; i++) {
                params.zeroGradients();
                long t0 = System.nanoTime();
                long t1;
                long t2;
                try (TrainingStep step = TrainingStep.open(params)) {
                    NDArray loss = steps.loss(step);
                    loss.getFloat();
                    t1 = System.nanoTime();
                    step.backward(loss);
                    t2 = System.nanoTime();
                }
                GradientClipping.clipByGlobalNorm(1.0, params);
                adam.step(1e-4);
                long t3 = System.nanoTime();
                try (NDManager scope = manager.newSubManager()) {
                    steps.inference(scope);
                }
                long t4 = System.nanoTime();
                if (i >= 0) {
                    timings[i] = new Timing((t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, (t4 - t3) / 1e6);
                }
            }
            double forward = median(timings, Timing::forward);
            double backward = median(timings, Timing::backward);
            double optimizer = median(timings, Timing::optimizer);
            double inference = median(timings, Timing::inference);
            double stepMs = forward + backward + optimizer;
            System.out.printf("%s of %s, %d parameters, batch %d, size %dx%d, %d timed steps (medians)%n", component,
                    model, params.count(), batch, height, width, iterations);
            System.out.printf("  training step    %8.2f ms   %.2f samples/s%n", stepMs, batch / (stepMs / 1e3));
            System.out.printf("    forward + loss %8.2f ms   %4.1f%%%n", forward, 100 * forward / stepMs);
            System.out.printf("    backward       %8.2f ms   %4.1f%%%n", backward, 100 * backward / stepMs);
            System.out.printf("    optimizer      %8.2f ms   %4.1f%%   (clipping + AdamW)%n", optimizer,
                    100 * optimizer / stepMs);
            System.out.printf("  inference forward %7.2f ms   (baseline: the training step costs %.2fx)%n", inference,
                    stepMs / inference);
            return 0;
        }
    }

    private Steps unet(Path dir, TrainableParameters params, NDManager manager, int height, int width) {
        UNet2dConditionConfig config = UNet2dConditionConfig.load(dir.resolve("config.json"));
        SchedulerConfig scheduler = SchedulerConfig.load(model.resolve("scheduler/scheduler_config.json"));
        DiffusionLoss objective = new DiffusionLoss(NoiseSchedule.of(scheduler), PredictionType.EPSILON, 0, 0);
        NDArray x0 = manager.randomNormal(new Shape(batch, config.inChannels(), height, width));
        NDArray noise = manager.randomNormal(x0.getShape());
        NDArray context = manager.randomNormal(new Shape(batch, 77, config.crossAttentionDim()));
        int[] t = new int[batch];
        long[] timesteps = new long[batch];
        for (int i = 0; i < batch; i++) {
            t[i] = (int) ((i + 0.5) * scheduler.numTrainTimesteps() / batch);
            timesteps[i] = t[i];
        }
        NDArray noisy = objective.noisy(x0, noise, t);
        UNet2dConditionModel inferenceModel = UNet2dConditionModel.load(dir,
                io.latentflow.core.model.ModelOptions.defaults());
        return new Steps() {
            @Override
            public NDArray loss(TrainingStep step) {
                UNet2dConditionModel unet = UNet2dConditionModel.of(config, step.weights(params, "unet"),
                        DataType.FLOAT32);
                NDArray prediction = unet.forward(noisy, step.manager().create(timesteps), context, null, null);
                return objective.loss(prediction, noise, t);
            }

            @Override
            public void inference(NDManager scope) {
                inferenceModel.forward(noisy, scope.create(timesteps), context, null, null).getFloat(0, 0, 0, 0);
            }
        };
    }

    private Steps vae(Path dir, TrainableParameters params, NDManager manager, int height, int width) {
        AutoencoderKlConfig config = AutoencoderKlConfig.load(dir.resolve("config.json"));
        NDArray images = manager.randomUniform(-1, 1, new Shape(batch, config.inChannels(), height, width));
        AutoencoderKl inferenceModel = AutoencoderKl.load(dir, io.latentflow.core.model.ModelOptions.defaults());
        return new Steps() {
            @Override
            public NDArray loss(TrainingStep step) {
                AutoencoderKl vae = AutoencoderKl.of(config, step.weights(params, "vae"), DataType.FLOAT32);
                DiagonalGaussianDistribution posterior = vae.encode(images);
                NDArray rec = vae.decode(posterior.sample(step.manager().randomNormal(posterior.mean().getShape())));
                // the reconstruction and KL terms of the first-stage loss
                return images.sub(rec).abs().mean().add(posterior.kl().mean().mul(1e-6f));
            }

            @Override
            public void inference(NDManager scope) {
                inferenceModel.decode(inferenceModel.encode(images).mean()).getFloat(0, 0, 0, 0);
            }
        };
    }

    private static double median(Timing[] timings, java.util.function.ToDoubleFunction<Timing> part) {
        double[] v = Arrays.stream(timings).mapToDouble(part).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
