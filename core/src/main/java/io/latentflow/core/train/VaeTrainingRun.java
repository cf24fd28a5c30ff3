package io.latentflow.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentflow.core.model.FolderTrees;
import io.latentflow.core.nn.ConvolutionGradients;
import io.latentflow.core.nn.Weights;
import io.latentflow.core.sampling.Cancellation;
import io.latentflow.core.vae.AutoencoderKl;
import io.latentflow.core.vae.AutoencoderKlConfig;
import io.latentflow.core.vae.DiagonalGaussianDistribution;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One autoencoder training run, as latent diffusion's AutoencoderKL.training_step with LPIPSWithDiscriminator: per
 * step the generator update (reconstruction, KL and, from disc_start on, the adaptively weighted adversarial term;
 * Adam on encoder, decoder and the quant convolutions) and then the discriminator update on the same batch. The
 * loss's log-variance stays at its initial 0, as LDM leaves it out of both optimizers. Checkpoints, validation
 * reconstructions and resumption work as in {@link UNetTrainingRun}.
 */
public final class VaeTrainingRun {

    /** Dataset images shown as reconstructions at each validation step. */
    static final int VALIDATION_IMAGES = 4;

    private static final long POSTERIOR_STREAM = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrainingSettings settings;
    private final Path vaeConfig;
    private final Map<String, NDArray> vaeWeights;
    private final NDArray images;
    private final CheckpointStore store;
    private final TrainingListener listener;
    private final Path workDir;

    /**
     * @param images the dataset (N, 3, H, W) in [-1, 1]
     */
    public VaeTrainingRun(TrainingSettings settings, Path vaeConfig, Map<String, NDArray> vaeWeights, NDArray images,
                          CheckpointStore store, TrainingListener listener, Path workDir) {
        if (settings.kind() != TrainingSettings.Kind.VAE) {
            throw new IllegalArgumentException("a " + settings.kind().configName() + " run is not a vae run");
        }
        this.settings = settings;
        this.vaeConfig = vaeConfig;
        this.vaeWeights = vaeWeights;
        this.images = images;
        this.store = store;
        this.listener = listener;
        this.workDir = workDir;
    }

    /** Runs (or resumes) to max_train_steps and stores the trained VAE; returns where it is. */
    public String run(Cancellation cancellation) {
        ConvolutionGradients.requireExact();
        TrainingStep.recordNothingOutsideSteps();
        AutoencoderKlConfig config = AutoencoderKlConfig.load(vaeConfig);
        AutoencoderLoss loss = new AutoencoderLoss(settings.klWeight(), settings.discStart(), settings.discWeight(),
                settings.discFactor(), settings.discLoss());
        NLayerDiscriminator.Config discConfig = new NLayerDiscriminator.Config(config.outChannels(),
                settings.discNdf(), settings.discNumLayers());
        if (settings.perceptualWeight() > 0) {
            listener.note("perceptual (LPIPS) loss off: no LPIPS weights given; rec_loss is the L1 term alone");
        }
        DataOrder order = new DataOrder((int) images.getShape().get(0), settings.trainBatchSize(), settings.seed());
        LearningRateSchedule lrSchedule = settings.lrSchedule();
        double emaDecay = settings.useEma() ? settings.emaDecay() : Double.NaN;
        Path discConfigFile = writeDiscriminatorConfig(discConfig);
        // LDM evaluates the discriminator (and the adaptive weight) from the first step; a run that ends before
        // disc_start would only pay for terms multiplied by 0
        boolean adversarial = settings.discStart() < settings.maxTrainSteps();
        if (!adversarial) {
            listener.note("adversarial loss off: disc_start " + settings.discStart() + " is past max_train_steps");
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            Path resume = TrainingCheckpoint.latest(store, workDir, listener);
            NDArray logvar = manager.create(new float[] {0f});
            try (TrainedComponent vae = TrainedComponent.create("vae", vaeConfig, vaeWeights, key -> false,
                    settings.adam(), emaDecay, resume, manager);
                 TrainedComponent disc = TrainedComponent.create("discriminator", discConfigFile,
                         NLayerDiscriminator.initialWeights(discConfig, settings.seed(), manager),
                         NLayerDiscriminator::isBuffer, settings.adam(), Double.NaN, resume, manager)) {
                long step = TrainingCheckpoint.stepOf(resume);
                long startStep = step;
                long started = System.nanoTime();
                while (step < settings.maxTrainSteps()) {
                    cancellation.throwIfCancelled();
                    int[] items = order.batch(step);
                    double lr = settings.learningRate() * lrSchedule.factor(step);
                    Map<String, Double> losses = new LinkedHashMap<>();
                    try (NDManager batch = manager.newSubManager()) {
                        NDArray x = UNetTrainingRun.gather(images, items, batch);
                        // 1. generator: encode, z = mean + std * eps, decode, LPIPSWithDiscriminator optimizer_idx 0
                        vae.parameters().zeroGradients();
                        disc.parameters().zeroGradients();
                        NDArray reconstruction;
                        try (TrainingStep s = TrainingStep.open(vae.parameters(), disc.parameters())) {
                            AutoencoderKl model = AutoencoderKl.of(config, s.weights(vae.parameters(), "vae"),
                                    DataType.FLOAT32);
                            NLayerDiscriminator d = adversarial ? NLayerDiscriminator.of(discConfig,
                                    s.weights(disc.parameters(), "discriminator")) : null;
                            DiagonalGaussianDistribution posterior = model.encode(x);
                            NDArray noise = StepRandom.of(settings.seed(), step, POSTERIOR_STREAM)
                                    .normal(posterior.mean().getShape(), s.manager());
                            AutoencoderKl.TrainingDecoding decoding = model.decodeForTraining(posterior.sample(noise));
                            AutoencoderLoss.GeneratorTerms g = loss.generatorStep(s, x, posterior, decoding, logvar,
                                    d, step);
                            losses.put("loss", (double) g.loss().getFloat());
                            losses.put("rec_loss", (double) g.recLoss().getFloat());
                            losses.put("nll_loss", (double) g.nllLoss().getFloat());
                            losses.put("kl_loss", (double) g.klLoss().getFloat());
                            if (adversarial) {
                                losses.put("g_loss", (double) g.gLoss().getFloat());
                                losses.put("d_weight", g.dWeight());
                                losses.put("disc_factor", g.discFactor());
                            }
                            reconstruction = decoding.images().stopGradient().duplicate();
                            reconstruction.attach(batch);
                        }
                        if (settings.maxGradNorm() > 0) {
                            losses.put("grad_norm", GradientClipping.clipByGlobalNorm(settings.maxGradNorm(),
                                    vae.parameters()).totalNorm());
                        }
                        vae.optimizer().step(lr);
                        if (vae.ema() != null) {
                            vae.ema().update();
                        }
                        // 2. discriminator (optimizer_idx 1) once its loss counts
                        if (loss.discFactorAt(step) > 0) {
                            disc.parameters().zeroGradients();
                            try (TrainingStep s = TrainingStep.open(disc.parameters())) {
                                NLayerDiscriminator d = NLayerDiscriminator.of(discConfig,
                                        s.weights(disc.parameters(), "discriminator"));
                                losses.put("d_loss", (double) loss.discriminatorStep(s, x, reconstruction, d, step)
                                        .dLoss().getFloat());
                            }
                            disc.optimizer().step(lr);
                        }
                    }
                    step++;
                    TrainingSettings.requireFinite(step, losses);
                    double seconds = (System.nanoTime() - started) / 1e9;
                    listener.progress(step, settings.maxTrainSteps(), losses, lr,
                            (step - startStep) * settings.trainBatchSize() / Math.max(seconds, 1e-9));
                    boolean last = step == settings.maxTrainSteps();
                    if (step % settings.validationSteps() == 0 || last) {
                        sample(step, config, vae);
                    }
                    if (step % settings.checkpointingSteps() == 0 || last) {
                        listener.checkpoint(step, TrainingCheckpoint.store(store, workDir, step, settings.seed(),
                                settings.checkpointsTotalLimit(), vae, disc));
                    }
                }
                Path output = workDir.resolve("output");
                FolderTrees.delete(output);
                vae.saveOutput(output);
                if (settings.fromScratch()) {
                    setScalingFactor(output.resolve("vae").resolve("config.json"), config, vae);
                }
                return store.saveOutput(output);
            }
        }
    }

    /** Reconstructions (posterior means decoded) of the first dataset images with the published weights. */
    private void sample(long step, AutoencoderKlConfig config, TrainedComponent vae) {
        long n = Math.min(VALIDATION_IMAGES, images.getShape().get(0));
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> weights = vae.publishedWeights();
            weights.values().forEach(w -> w.tempAttach(m));
            AutoencoderKl model = AutoencoderKl.of(config, Weights.trainable(weights, "vae", m), DataType.FLOAT32);
            NDArray x = images.get("0:" + n);
            x.attach(m);
            listener.sample(step, model.decode(model.encode(x).mean()), true);
        }
    }

    /**
     * A new VAE's scaling_factor from its data, as latent diffusion chooses it (Rombach et al. 2022, app. G):
     * 1 / std of the posterior means of (up to 256) dataset images, so the UNet sees latents of unit variance.
     */
    private void setScalingFactor(Path configFile, AutoencoderKlConfig config, TrainedComponent vae) {
        long n = Math.min(256, images.getShape().get(0));
        double std;
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> weights = vae.publishedWeights();
            weights.values().forEach(w -> w.tempAttach(m));
            AutoencoderKl model = AutoencoderKl.of(config, Weights.trainable(weights, "vae", m), DataType.FLOAT32);
            NDArray sum = m.zeros(new Shape(1));
            NDArray squares = m.zeros(new Shape(1));
            long count = 0;
            for (long start = 0; start < n; start += VALIDATION_IMAGES) {
                NDArray x = images.get(start + ":" + Math.min(n, start + VALIDATION_IMAGES));
                x.attach(m);
                NDArray mean = model.encode(x).mean();
                sum = sum.add(mean.sum());
                squares = squares.add(mean.square().sum());
                count += mean.size();
            }
            double mu = sum.getFloat() / count;
            std = Math.sqrt(Math.max(squares.getFloat() / count - mu * mu, 1e-12));
        }
        try {
            ObjectNode json = (ObjectNode) JSON.readTree(configFile.toFile());
            json.put("scaling_factor", 1.0 / std);
            JSON.writerWithDefaultPrettyPrinter().writeValue(configFile.toFile(), json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        listener.note(String.format("scaling_factor set to %.5f (1 / std of the dataset's latents)", 1.0 / std));
    }

    private Path writeDiscriminatorConfig(NLayerDiscriminator.Config c) {
        Path file = workDir.resolve("discriminator_config.json");
        try {
            Files.createDirectories(workDir);
            JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), Map.of("_class_name",
                    "NLayerDiscriminator", "input_nc", c.inputChannels(), "ndf", c.ndf(), "n_layers", c.layers()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
