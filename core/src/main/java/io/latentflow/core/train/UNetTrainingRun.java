package io.latentflow.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.model.FolderTrees;
import io.latentflow.core.nn.ConvolutionGradients;
import io.latentflow.core.nn.Scalars;
import io.latentflow.core.nn.Weights;
import io.latentflow.core.pipeline.UNetDenoiser;
import io.latentflow.core.sampling.Cancellation;
import io.latentflow.core.sampling.NoiseSource;
import io.latentflow.core.sampling.Sampler;
import io.latentflow.core.sampling.Samplers;
import io.latentflow.core.sampling.StepListener;
import io.latentflow.core.schedule.NoiseSchedule;
import io.latentflow.core.schedule.PredictionType;
import io.latentflow.core.schedule.Schedule;
import io.latentflow.core.schedule.SchedulerConfig;
import io.latentflow.core.unet.UNet2dConditionConfig;
import io.latentflow.core.unet.UNet2dConditionModel;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One UNet (or refiner) training run, as diffusers' train_text_to_image loop: per optimizer step, for each of the
 * gradient-accumulation micro-batches, latents x0 (sampled from their stored posterior), caption dropout, noise
 * (with offset), t ~ U[0, max_timestep), x_t = q_sample(x0, eps, t), loss = DiffusionLoss(unet(x_t, t, c), target);
 * then clipping, AdamW at the scheduled learning rate and the EMA update. Checkpoints every checkpointing_steps and
 * at the end; validation latents every validation_steps. A run finding a checkpoint in its store resumes from it and
 * reproduces the uninterrupted run: every random draw depends only on (seed, micro-batch index).
 */
public final class UNetTrainingRun {

    /** Sampling settings of the validation images. */
    static final int VALIDATION_STEPS = 20;
    static final float VALIDATION_GUIDANCE = 7.5f;

    private static final long NOISE_STREAM = 1;
    private static final long DROPOUT_STREAM = 2;
    private static final long TIMESTEP_STREAM = 3;
    private static final long POSTERIOR_STREAM = 4;

    /** The model being trained: the UNet's folder config and starting weights, and optionally the text encoder's. */
    public record Model(Path unetConfig, Map<String, NDArray> unetWeights, Path textEncoderConfig,
                        Map<String, NDArray> textEncoderWeights, SchedulerConfig scheduler) {
    }

    /**
     * The dataset as the UNet sees it: scaled latents' posterior mean (N, C, h, w) and standard deviation (or null
     * to train on the means).
     */
    public record Latents(NDArray mean, NDArray std) {
    }

    private final TrainingSettings settings;
    private final Model model;
    private final Latents latents;
    private final TextConditioning text;
    private final CheckpointStore store;
    private final TrainingListener listener;
    private final Path workDir;

    public UNetTrainingRun(TrainingSettings settings, Model model, Latents latents, TextConditioning text,
                           CheckpointStore store, TrainingListener listener, Path workDir) {
        if (settings.kind() == TrainingSettings.Kind.VAE) {
            throw new IllegalArgumentException("a vae run is not a UNet run");
        }
        this.settings = settings;
        this.model = model;
        this.latents = latents;
        this.text = text;
        this.store = store;
        this.listener = listener;
        this.workDir = workDir;
    }

    /** Runs (or resumes) to max_train_steps and stores the trained components; returns where they are. */
    public String run(Cancellation cancellation) {
        ConvolutionGradients.requireExact();
        TrainingStep.recordNothingOutsideSteps();
        UNet2dConditionConfig unetConfig = UNet2dConditionConfig.load(model.unetConfig());
        if (unetConfig.usesTextTime()) {
            throw new IllegalArgumentException("training UNets with addition_embed_type text_time (SDXL) is not "
                    + "supported");
        }
        PredictionType type = settings.predictionType() != null ? settings.predictionType()
                : model.scheduler().predictionType();
        SchedulerConfig scheduler = model.scheduler().with(Map.of("prediction_type", type.configName()));
        DiffusionLoss objective = new DiffusionLoss(NoiseSchedule.of(scheduler), type, settings.snrGamma(),
                settings.noiseOffset());
        DataOrder order = new DataOrder((int) latents.mean().getShape().get(0), settings.trainBatchSize(),
                settings.seed());
        LearningRateSchedule lrSchedule = settings.lrSchedule();
        double emaDecay = settings.useEma() ? settings.emaDecay() : Double.NaN;
        boolean joint = text instanceof TextConditioning.Joint;

        try (NDManager manager = NDManager.newBaseManager()) {
            Path resume = TrainingCheckpoint.latest(store, workDir, listener);
            try (TrainedComponent unet = TrainedComponent.create("unet", model.unetConfig(), model.unetWeights(),
                    key -> false, settings.adam(), emaDecay, resume, manager);
                 TrainedComponent textEncoder = joint ? TrainedComponent.create("text_encoder",
                         model.textEncoderConfig(), model.textEncoderWeights(), key -> false, settings.adam(),
                         emaDecay, resume, manager) : null) {
                long step = TrainingCheckpoint.stepOf(resume);
                long startStep = step;
                long started = System.nanoTime();
                while (step < settings.maxTrainSteps()) {
                    cancellation.throwIfCancelled();
                    unet.parameters().zeroGradients();
                    if (textEncoder != null) {
                        textEncoder.parameters().zeroGradients();
                    }
                    Map<String, Double> losses = new LinkedHashMap<>();
                    double lossSum = 0;
                    for (int a = 0; a < settings.gradientAccumulationSteps(); a++) {
                        long k = step * settings.gradientAccumulationSteps() + a;
                        lossSum += microBatch(k, order.batch(k), objective, unetConfig, unet, textEncoder);
                    }
                    losses.put("loss", lossSum);
                    if (settings.maxGradNorm() > 0) {
                        GradientClipping.Result clip = textEncoder == null
                                ? GradientClipping.clipByGlobalNorm(settings.maxGradNorm(), unet.parameters())
                                : GradientClipping.clipByGlobalNorm(settings.maxGradNorm(), unet.parameters(),
                                textEncoder.parameters());
                        losses.put("grad_norm", clip.totalNorm());
                    }
                    double lr = settings.learningRate() * lrSchedule.factor(step);
                    for (TrainedComponent c : components(unet, textEncoder)) {
                        c.optimizer().step(lr);
                        if (c.ema() != null) {
                            c.ema().update();
                        }
                    }
                    step++;
                    TrainingSettings.requireFinite(step, losses);
                    double seconds = (System.nanoTime() - started) / 1e9;
                    listener.progress(step, settings.maxTrainSteps(), losses, lr,
                            (step - startStep) * settings.samplesPerStep() / Math.max(seconds, 1e-9));
                    boolean last = step == settings.maxTrainSteps();
                    if (!settings.validationPrompts().isEmpty() && (step % settings.validationSteps() == 0 || last)) {
                        sample(step, unetConfig, scheduler, unet, textEncoder);
                    }
                    if (step % settings.checkpointingSteps() == 0 || last) {
                        listener.checkpoint(step, TrainingCheckpoint.store(store, workDir, step, settings.seed(),
                                settings.checkpointsTotalLimit(), components(unet, textEncoder)));
                    }
                }
                Path output = workDir.resolve("output");
                FolderTrees.delete(output);
                for (TrainedComponent c : components(unet, textEncoder)) {
                    c.saveOutput(output);
                }
                return store.saveOutput(output);
            }
        }
    }

    private double microBatch(long k, int[] items, DiffusionLoss objective, UNet2dConditionConfig unetConfig,
                              TrainedComponent unet, TrainedComponent textEncoder) {
        int b = items.length;
        try (TrainingStep step = textEncoder == null ? TrainingStep.open(unet.parameters())
                : TrainingStep.open(unet.parameters(), textEncoder.parameters())) {
            NDManager m = step.manager();
            // 1. x0 ~ N(mean, std^2) of the stored posterior: (B, C, h, w)
            NDArray x0 = gather(latents.mean(), items, m);
            Shape shape = x0.getShape();
            if (latents.std() != null) {
                x0 = x0.add(gather(latents.std(), items, m)
                        .mul(StepRandom.of(settings.seed(), k, POSTERIOR_STREAM).normal(shape, m)));
            }
            // 2. eps with offset, t ~ U[0, max_timestep), caption dropout
            StepRandom noiseRandom = StepRandom.of(settings.seed(), k, NOISE_STREAM);
            NDArray base = noiseRandom.normal(shape, m);
            NDArray offset = noiseRandom.normal(new Shape(b, shape.get(1), 1, 1), m);
            NDArray noise = objective.noise(base, offset);
            int[] t = StepRandom.of(settings.seed(), k, TIMESTEP_STREAM).integers(b, settings.maxTimestep());
            boolean[] dropped = StepRandom.of(settings.seed(), k, DROPOUT_STREAM)
                    .coins(b, settings.conditioningDropoutProb());
            // 3. loss = L(unet(x_t, t, c), target) / accumulation steps
            NDArray context = text.context(items, dropped, step, textEncoder);
            UNet2dConditionModel model = UNet2dConditionModel.of(unetConfig, step.weights(unet.parameters(), "unet"),
                    DataType.FLOAT32);
            long[] timesteps = new long[b];
            for (int i = 0; i < b; i++) {
                timesteps[i] = t[i];
            }
            NDArray prediction = model.forward(objective.noisy(x0, noise, t), m.create(timesteps), context, null,
                    null);
            NDArray loss = Scalars.div(objective.loss(prediction, objective.target(x0, noise, t), t),
                    settings.gradientAccumulationSteps());
            step.backward(loss);
            return loss.getFloat();
        }
    }

    /** Guided DDIM samples of the validation prompts with the published (EMA) weights: scaled latents. */
    private void sample(long step, UNet2dConditionConfig unetConfig, SchedulerConfig scheduler,
                        TrainedComponent unet, TrainedComponent textEncoder) {
        int prompts = settings.validationPrompts().size();
        Shape shape = latents.mean().getShape();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray context = text.validation(textEncoder == null ? Map.of() : textEncoder.publishedWeights(), m);
            Map<String, NDArray> weights = unet.publishedWeights();
            weights.values().forEach(w -> w.tempAttach(m));
            UNet2dConditionModel model = UNet2dConditionModel.of(unetConfig, Weights.trainable(weights, "unet", m),
                    DataType.FLOAT32);
            Sampler sampler = Samplers.create("ddim", scheduler);
            Schedule schedule = sampler.schedule(VALIDATION_STEPS);
            long[] seeds = new long[prompts];
            for (int i = 0; i < prompts; i++) {
                seeds[i] = settings.seed() + i;
            }
            NoiseSource noise = NoiseSource.seeded(seeds);
            NDArray start = noise.next(new Shape(prompts, shape.get(1), shape.get(2), shape.get(3)), m)
                    .mul(schedule.initNoiseSigma());
            UNetDenoiser denoiser = new UNetDenoiser(model, context, null, null, null, true, VALIDATION_GUIDANCE, 0f);
            NDArray result = sampler.sample(denoiser, start, schedule, noise, StepListener.NONE);
            listener.sample(step, result, false);
        }
    }

    private static TrainedComponent[] components(TrainedComponent unet, TrainedComponent textEncoder) {
        return textEncoder == null ? new TrainedComponent[] {unet} : new TrainedComponent[] {unet, textEncoder};
    }

    /** Rows {@code items} of a stored (N, ...) array, in {@code manager}. */
    static NDArray gather(NDArray all, int[] items, NDManager manager) {
        long[] index = new long[items.length];
        for (int i = 0; i < items.length; i++) {
            index[i] = items[i];
        }
        NDArray rows = all.get(manager.create(index));
        rows.attach(manager);
        return rows;
    }
}
