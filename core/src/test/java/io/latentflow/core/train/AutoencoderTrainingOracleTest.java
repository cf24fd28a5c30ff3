package io.latentflow.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import io.latentflow.core.model.ComponentWeights;
import io.latentflow.core.vae.AutoencoderKl;
import io.latentflow.core.vae.AutoencoderKlConfig;
import io.latentflow.core.vae.DiagonalGaussianDistribution;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static io.latentflow.core.train.TrainingOracle.assertClose;
import static io.latentflow.core.train.TrainingOracle.assertGradient;
import static io.latentflow.core.train.TrainingOracle.assertLoss;
import static io.latentflow.core.train.TrainingOracle.require;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * VAE training math against training_vae_tiny (CompVis LPIPSWithDiscriminator with taming's NLayerDiscriminator):
 * per case the posterior, the reconstruction, the generator terms before and after disc_start with the adaptive
 * weight, the discriminator's hinge and vanilla losses and BatchNorm buffers, the gradients and one Adam step of
 * each optimizer. Every setting comes from the folder's JSON. Tolerances: losses 1e-5 relative; forward tensors
 * 1e-4 absolute; gradients 1e-4 x max(1, max|g|); parameters after a step 1e-4 absolute.
 */
class AutoencoderTrainingOracleTest {

    private static final Path DIR = TrainingOracle.dir("training_vae_tiny");

    @Test
    void everyCaseReproducesLossesGradientsBatchStatisticsAndAdamSteps() {
        JsonNode lossConfig = TrainingOracle.json(DIR.resolve("loss_config.json"));
        JsonNode kwargs = lossConfig.get("kwargs");
        JsonNode disc = TrainingOracle.json(DIR.resolve("discriminator_config.json"));
        JsonNode adam = lossConfig.get("adam");
        AutoencoderLoss lossFn = new AutoencoderLoss(kwargs.get("kl_weight").asDouble(),
                kwargs.get("disc_start").asLong(), kwargs.get("disc_weight").asDouble(),
                kwargs.get("disc_factor").asDouble(),
                AutoencoderLoss.DiscriminatorLossKind.parse(kwargs.get("disc_loss").asText()));
        AutoencoderLoss.DiscriminatorLossKind other = lossFn.discLoss() == AutoencoderLoss.DiscriminatorLossKind.HINGE
                ? AutoencoderLoss.DiscriminatorLossKind.VANILLA : AutoencoderLoss.DiscriminatorLossKind.HINGE;
        NLayerDiscriminator.Config discConfig = new NLayerDiscriminator.Config(disc.get("input_nc").asInt(),
                disc.get("ndf").asInt(), disc.get("n_layers").asInt());
        long after = lossConfig.get("global_step_after_disc_start").asLong();
        long before = lossConfig.get("global_step_before_disc_start").asLong();
        AdamW.Settings adamSettings = new AdamW.Settings(adam.get("betas").get(0).asDouble(),
                adam.get("betas").get(1).asDouble(), adam.get("eps").asDouble(),
                adam.get("weight_decay").asDouble(), false);
        AutoencoderKlConfig vaeConfig = AutoencoderKlConfig.load(DIR.resolve("config.json"));
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> cases = TrainingOracle.tensors(DIR.resolve("cases.safetensors"), manager);
            int count = lossConfig.get("cases").size();
            for (int i = 0; i < count; i++) {
                String p = "case" + i + ".";
                NDArray image = require(cases, p + "image");
                NDArray noise = require(cases, p + "sample_noise");
                String prefix = lossConfig.get("last_layer").asText();
                assertEquals("decoder.conv_out.weight", prefix);

                // the generator pass after disc_start, its gradients and one Adam step of the autoencoder
                try (Fixture f = new Fixture(manager, discConfig, kwargs)) {
                    try (TrainingStep step = TrainingStep.open(f.vae, f.disc, f.logvar)) {
                        AutoencoderKl vae = AutoencoderKl.of(vaeConfig, step.weights(f.vae, "vae"), DataType.FLOAT32);
                        NLayerDiscriminator d = NLayerDiscriminator.of(discConfig, step.weights(f.disc, "disc"));
                        DiagonalGaussianDistribution posterior = vae.encode(image);
                        assertClose(p + "posterior_mean", require(cases, p + "posterior_mean"), posterior.mean(),
                                1e-4);
                        assertClose(p + "posterior_logvar", require(cases, p + "posterior_logvar"),
                                posterior.logvar(), 1e-4);
                        assertClose(p + "posterior_std", require(cases, p + "posterior_std"), posterior.std(), 1e-4);
                        NDArray z = posterior.sample(noise);
                        assertClose(p + "z", require(cases, p + "z"), z, 1e-4);
                        AutoencoderKl.TrainingDecoding decoding = vae.decodeForTraining(z);
                        assertClose(p + "reconstruction", require(cases, p + "reconstruction"), decoding.images(),
                                1e-4);
                        AutoencoderLoss.GeneratorTerms gen = lossFn.generatorStep(step, image, posterior, decoding,
                                f.logvar.get("logvar"), d, after);
                        assertLoss(p + "gen.rec_loss", require(cases, p + "gen.rec_loss"), gen.recLoss());
                        assertLoss(p + "gen.nll_loss", require(cases, p + "gen.nll_loss"), gen.nllLoss());
                        assertLoss(p + "gen.weighted_nll_loss", require(cases, p + "gen.weighted_nll_loss"),
                                gen.nllLoss());
                        assertLoss(p + "gen.kl_loss", require(cases, p + "gen.kl_loss"), gen.klLoss());
                        assertClose(p + "gen.kl_per_sample", require(cases, p + "gen.kl_per_sample"),
                                posterior.kl(), 1e-5 * io.latentflow.core.sampling.OracleFiles.maxAbs(require(cases, p + "gen.kl_per_sample")));
                        assertLoss(p + "gen.g_loss", require(cases, p + "gen.g_loss"), gen.gLoss());
                        assertClose(p + "gen.logits_fake", require(cases, p + "gen.logits_fake"), gen.logitsFake(),
                                1e-4);
                        assertGradient(p + "gen.nll_grads", require(cases, p + "gen.nll_grads"), gen.nllGrads());
                        assertGradient(p + "gen.g_grads", require(cases, p + "gen.g_grads"), gen.gGrads());
                        assertLoss(p + "gen.d_weight", require(cases, p + "gen.d_weight").getFloat(), gen.dWeight());
                        assertEquals(require(cases, p + "gen.disc_factor").getFloat(), gen.discFactor());
                        assertLoss(p + "gen.loss", require(cases, p + "gen.loss"), gen.loss());
                    }
                    for (String bn : new String[] {"main.3", "main.6"}) {
                        for (String buffer : new String[] {"running_mean", "running_var"}) {
                            assertClose(p + "gen.bn." + bn + "." + buffer,
                                    require(cases, p + "gen.bn." + bn + "." + buffer),
                                    f.disc.get(bn + "." + buffer), 1e-5);
                        }
                        assertEquals(require(cases, p + "gen.bn." + bn + ".num_batches_tracked").getLong(),
                                f.disc.get(bn + ".num_batches_tracked").getLong());
                    }
                    for (String key : new String[] {"decoder.conv_out.weight", "encoder.conv_in.weight"}) {
                        assertGradient(p + "grad." + key, require(cases, p + "grad." + key),
                                f.vae.gradient(key, manager));
                    }
                    assertGradient(p + "grad.loss.logvar", require(cases, p + "grad.loss.logvar"),
                            f.logvar.gradient("logvar", manager));
                    new AdamW(f.vae, adamSettings).step(adam.get("lr").asDouble());
                    for (String key : new String[] {"decoder.conv_out.weight", "encoder.conv_in.weight"}) {
                        assertClose(p + "adam1." + key, require(cases, p + "adam1." + key), f.vae.get(key), 1e-4);
                    }
                }

                // the pass before disc_start: only the totals matter (the factor is 0)
                try (Fixture f = new Fixture(manager, discConfig, kwargs)) {
                    try (TrainingStep step = TrainingStep.open(f.vae, f.disc, f.logvar)) {
                        AutoencoderKl vae = AutoencoderKl.of(vaeConfig, step.weights(f.vae, "vae"), DataType.FLOAT32);
                        NLayerDiscriminator d = NLayerDiscriminator.of(discConfig, step.weights(f.disc, "disc"));
                        DiagonalGaussianDistribution posterior = vae.encode(image);
                        AutoencoderLoss.GeneratorTerms gen = lossFn.generatorStep(step, image, posterior,
                                vae.decodeForTraining(posterior.sample(noise)), f.logvar.get("logvar"), d, before);
                        assertLoss(p + "before.loss", require(cases, p + "before.loss"), gen.loss());
                        assertLoss(p + "before.d_weight", require(cases, p + "before.d_weight").getFloat(),
                                gen.dWeight());
                        assertEquals(require(cases, p + "before.disc_factor").getFloat(), gen.discFactor());
                        AutoencoderLoss.DiscriminatorTerms dt = lossFn.discriminatorStep(step, image,
                                vae.decodeForTraining(posterior.sample(noise)).images(), d, before);
                        assertEquals(require(cases, p + "before.d_loss").getFloat(), dt.dLoss().getFloat());
                    }
                }

                // the discriminator pass after disc_start from a fresh discriminator, and one Adam step of it
                try (Fixture f = new Fixture(manager, discConfig, kwargs)) {
                    NDArray reconstruction = require(cases, p + "reconstruction");
                    try (TrainingStep step = TrainingStep.open(f.disc)) {
                        NLayerDiscriminator d = NLayerDiscriminator.of(discConfig, step.weights(f.disc, "disc"));
                        AutoencoderLoss.DiscriminatorTerms dt = lossFn.discriminatorStep(step, image, reconstruction,
                                d, after);
                        assertClose(p + "disc.logits_real", require(cases, p + "disc.logits_real"), dt.logitsReal(),
                                1e-4);
                        assertClose(p + "disc.logits_fake", require(cases, p + "disc.logits_fake"), dt.logitsFake(),
                                1e-4);
                        String configured = "disc.d_loss_" + lossFn.discLoss().name().toLowerCase();
                        assertLoss(p + configured, require(cases, p + configured), dt.dLoss());
                        String otherKey = "disc.d_loss_" + other.name().toLowerCase();
                        assertLoss(p + otherKey, require(cases, p + otherKey).getFloat(),
                                other.loss(dt.logitsReal(), dt.logitsFake()).getFloat() * dt.discFactor());
                    }
                    for (String bn : new String[] {"main.3", "main.6"}) {
                        for (String buffer : new String[] {"running_mean", "running_var"}) {
                            assertClose(p + "disc.bn." + bn + "." + buffer,
                                    require(cases, p + "disc.bn." + bn + "." + buffer),
                                    f.disc.get(bn + "." + buffer), 1e-5);
                        }
                        assertEquals(require(cases, p + "disc.bn." + bn + ".num_batches_tracked").getLong(),
                                f.disc.get(bn + ".num_batches_tracked").getLong());
                    }
                    assertGradient(p + "grad.main.0.weight", require(cases, p + "grad.main.0.weight"),
                            f.disc.gradient("main.0.weight", manager));
                    new AdamW(f.disc, adamSettings).step(adam.get("lr").asDouble());
                    assertClose(p + "adam1.main.0.weight", require(cases, p + "adam1.main.0.weight"),
                            f.disc.get("main.0.weight"), 1e-4);
                }
            }
        }
    }

    /** Fresh trainable copies of the stored VAE, discriminator and loss log-variance. */
    private static final class Fixture implements AutoCloseable {
        final TrainableParameters vae;
        final TrainableParameters disc;
        final TrainableParameters logvar;

        Fixture(NDManager manager, NLayerDiscriminator.Config config, JsonNode kwargs) {
            vae = TrainableParameters.copyOf(ComponentWeights.read(ComponentWeights.locate(DIR), manager,
                    DataType.FLOAT32), manager);
            disc = TrainableParameters.copyOf(TrainingOracle.tensors(DIR.resolve("discriminator.safetensors"),
                    manager), manager, NLayerDiscriminator::isBuffer);
            logvar = TrainableParameters.copyOf(Map.of("logvar", manager.create(new float[] {
                    (float) kwargs.get("logvar_init").asDouble()})), manager);
        }

        @Override
        public void close() {
            vae.close();
            disc.close();
            logvar.close();
        }
    }
}
