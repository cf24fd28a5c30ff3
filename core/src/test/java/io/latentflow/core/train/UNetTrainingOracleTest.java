package io.latentflow.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import io.latentflow.core.model.ComponentWeights;
import io.latentflow.core.sampling.OracleFiles;
import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.schedule.NoiseSchedule;
import io.latentflow.core.schedule.PredictionType;
import io.latentflow.core.schedule.SchedulerConfig;
import io.latentflow.core.unet.UNet2dConditionConfig;
import io.latentflow.core.unet.UNet2dConditionModel;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static io.latentflow.core.train.TrainingOracle.assertClose;
import static io.latentflow.core.train.TrainingOracle.assertGradient;
import static io.latentflow.core.train.TrainingOracle.assertLoss;
import static io.latentflow.core.train.TrainingOracle.assertStepped;
import static io.latentflow.core.train.TrainingOracle.require;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * UNet training math against training_unet_tiny (diffusers train_text_to_image and CompVis latent-diffusion):
 * every case's noise, q_sample, target, prediction, losses and weights, then three AdamW steps with clipping and
 * LitEma. Every setting comes from the folder's JSON. Tolerances: losses 1e-5 relative; tensors of the forward pass
 * 1e-5 absolute (model_pred 1e-4); gradients 1e-4 x max(1, max|g|); parameters and EMA after the steps 2e-4
 * absolute (0.2 lr: Adam moves elements whose gradient is ~eps by up to lr on last-bit differences, README).
 */
class UNetTrainingOracleTest {

    private static final Path DIR = TrainingOracle.dir("training_unet_tiny");

    @Test
    void everyCaseReproducesNoiseTargetsPredictionAndLosses() {
        JsonNode config = TrainingOracle.json(DIR.resolve("train_config.json"));
        SchedulerConfig schedulerConfig = SchedulerConfig.load(DIR.resolve("scheduler_config.json"));
        try (NDManager manager = NDManager.newBaseManager();
             UNet2dConditionModel unet = UNet2dConditionModel.load(DIR, ModelOptions.defaults())) {
            Map<String, NDArray> cases = TrainingOracle.tensors(DIR.resolve("cases.safetensors"), manager);
            JsonNode ldm = config.get("ldm_loss");
            JsonNode ldmSchedule = config.get("ldm_schedule");
            for (JsonNode c : config.get("cases")) {
                String p = "case" + c.get("case").asInt() + ".";
                PredictionType type = PredictionType.parse(c.get("prediction_type").asText());
                NoiseSchedule schedule = NoiseSchedule.of(
                        schedulerConfig.with(Map.of("prediction_type", type.configName())));
                DiffusionLoss loss = new DiffusionLoss(schedule, type, c.get("snr_gamma").asDouble(),
                        c.get("noise_offset").asDouble());
                int[] t = toInts(require(cases, p + "timesteps"));
                NDArray x0 = require(cases, p + "x0");
                NDArray noise = loss.noiseOffset() == 0 ? require(cases, p + "noise")
                        : loss.noise(require(cases, p + "noise_base"), require(cases, p + "noise_offset_draw"));
                assertClose(p + "noise", require(cases, p + "noise"), noise, 1e-6);
                NDArray noisy = loss.noisy(x0, noise, t);
                assertClose(p + "noisy", require(cases, p + "noisy"), noisy, 1e-5);
                NDArray target = loss.target(x0, noise, t);
                assertClose(p + "target", require(cases, p + "target"), target, 1e-5);
                NDArray pred = unet.forward(noisy, manager.create(toLongs(t)), require(cases, p + "context"),
                        null, null);
                assertClose(p + "model_pred", require(cases, p + "model_pred"), pred, 1e-4);
                // the losses on the reference prediction, so that they test the loss and not the UNet again
                NDArray refPred = require(cases, p + "model_pred");
                NDArray refTarget = require(cases, p + "target");
                assertLoss(p + "loss_mse", require(cases, p + "loss_mse"),
                        new DiffusionLoss(schedule, type, 0, 0).loss(refPred, refTarget, t));
                assertClose(p + "per_sample_mse", require(cases, p + "per_sample_mse"),
                        DiffusionLoss.perSampleMse(refPred, refTarget), 1e-5);
                assertClose(p + "snr", require(cases, p + "snr"), manager.create(loss.snr(t)),
                        1e-6 * Math.max(1, OracleFiles.maxAbs(require(cases, p + "snr"))));
                assertClose(p + "minsnr_weights", require(cases, p + "minsnr_weights"),
                        manager.create(loss.minSnrWeights(t)), 1e-6);
                assertLoss(p + "loss_minsnr", require(cases, p + "loss_minsnr"), loss.loss(refPred, refTarget, t));
                if (c.path("has_ldm_loss").asBoolean(false)) {
                    double[] betas = VlbWeightedLoss.ldmBetas(ldmSchedule.get("beta_schedule").asText(),
                            ldmSchedule.get("timesteps").asInt(), ldmSchedule.get("linear_start").asDouble(),
                            ldmSchedule.get("linear_end").asDouble());
                    VlbWeightedLoss vlb = VlbWeightedLoss.of(betas,
                            PredictionType.parse(ldm.get("parameterization").asText().equals("eps") ? "epsilon"
                                    : "sample"),
                            ldm.get("v_posterior").asDouble(), ldm.get("l_simple_weight").asDouble(),
                            ldm.get("original_elbo_weight").asDouble());
                    NDArray logvar = manager.full(new ai.djl.ndarray.types.Shape(betas.length),
                            (float) ldm.get("logvar_init").asDouble());
                    VlbWeightedLoss.Terms terms = vlb.loss(DiffusionLoss.perSampleMse(refPred, refTarget), t, logvar);
                    float[] lambda = new float[t.length];
                    for (int i = 0; i < t.length; i++) {
                        lambda[i] = vlb.lvlbWeights()[t[i]];
                    }
                    assertClose(p + "ldm.lvlb_weights_t", require(cases, p + "ldm.lvlb_weights_t"),
                            manager.create(lambda), 1e-6);
                    assertLoss(p + "ldm.loss_simple", require(cases, p + "ldm.loss_simple"), terms.lossSimple());
                    assertLoss(p + "ldm.loss_vlb", require(cases, p + "ldm.loss_vlb"), terms.lossVlb());
                    assertLoss(p + "ldm.loss", require(cases, p + "ldm.loss"), terms.loss());
                }
            }
        }
    }

    @Test
    void lvlbWeightsFollowTheFloat32BuffersOfTheReference() {
        JsonNode s = TrainingOracle.json(DIR.resolve("train_config.json")).get("ldm_schedule");
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> schedule = TrainingOracle.tensors(DIR.resolve("schedule.safetensors"), manager);
            double[] betas = VlbWeightedLoss.ldmBetas(s.get("beta_schedule").asText(), s.get("timesteps").asInt(),
                    s.get("linear_start").asDouble(), s.get("linear_end").asDouble());
            VlbWeightedLoss vlb = VlbWeightedLoss.of(betas, PredictionType.EPSILON, 0, 1, 0.001);
            NDArray expected = require(schedule, "ldm.lvlb_weights");
            NDArray actual = manager.create(vlb.lvlbWeights());
            // relative 1e-5 of the largest weight
            assertClose("ldm.lvlb_weights", expected, actual, 1e-5 * OracleFiles.maxAbs(expected));
        }
    }

    @Test
    void threeAdamWStepsWithClippingAndEmaReproduceParametersAndShadows() {
        JsonNode train = TrainingOracle.json(DIR.resolve("train_config.json")).get("train");
        JsonNode opt = train.get("optimizer_kwargs");
        int steps = train.get("n_steps").asInt();
        String p = "case" + train.get("case").asInt() + ".";
        SchedulerConfig schedulerConfig = SchedulerConfig.load(DIR.resolve("scheduler_config.json"));
        PredictionType type = PredictionType.parse(train.get("prediction_type").asText());
        UNet2dConditionConfig unetConfig = UNet2dConditionConfig.load(DIR.resolve("config.json"));
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> cases = TrainingOracle.tensors(DIR.resolve("cases.safetensors"), manager);
            Map<String, NDArray> expected = TrainingOracle.tensors(DIR.resolve("train_steps.safetensors"), manager);
            Map<String, NDArray> weights = ComponentWeights.read(ComponentWeights.locate(DIR), manager,
                    DataType.FLOAT32);
            NoiseSchedule schedule = NoiseSchedule.of(schedulerConfig.with(Map.of("prediction_type",
                    type.configName())));
            DiffusionLoss objective = new DiffusionLoss(schedule, type, 0, 0);
            int[] t = toInts(require(cases, p + "timesteps"));
            NDArray noisy = require(cases, p + "noisy");
            NDArray target = require(cases, p + "target");
            NDArray context = require(cases, p + "context");
            float[] expectedLoss = require(expected, "loss").toFloatArray();
            float[] gradNorm = require(expected, "grad_norm").toFloatArray();
            float[] clipCoef = require(expected, "clip_coef").toFloatArray();
            try (TrainableParameters params = TrainableParameters.copyOf(weights, manager)) {
                AdamW adam = new AdamW(params, new AdamW.Settings(opt.get("betas").get(0).asDouble(),
                        opt.get("betas").get(1).asDouble(), opt.get("eps").asDouble(),
                        opt.get("weight_decay").asDouble(), true));
                Ema ema = new Ema(params, train.get("ema_decay").asDouble());
                for (int s = 1; s <= steps; s++) {
                    params.zeroGradients();
                    try (TrainingStep step = TrainingStep.open(params)) {
                        UNet2dConditionModel unet = UNet2dConditionModel.of(unetConfig,
                                step.weights(params, "unet"), DataType.FLOAT32);
                        NDArray pred = unet.forward(noisy, step.manager().create(toLongs(t)), context, null, null);
                        NDArray loss = objective.loss(pred, target, t);
                        assertLoss("loss before step " + s, expectedLoss[s - 1], loss.getFloat());
                        step.backward(loss);
                    }
                    if (s == 1) {
                        for (String key : params.keys()) {
                            assertGradient("grad." + key, require(expected, "grad." + key),
                                    params.gradient(key, manager));
                        }
                    }
                    GradientClipping.Result clip = GradientClipping.clipByGlobalNorm(
                            train.get("max_grad_norm").asDouble(), params);
                    assertLoss("grad_norm " + s, gradNorm[s - 1], clip.totalNorm());
                    assertLoss("clip_coef " + s, clipCoef[s - 1], clip.clipCoefficient());
                    adam.step(opt.get("lr").asDouble());
                    ema.update();
                    if (s == 1 || s == steps) {
                        for (String key : params.keys()) {
                            assertStepped("step" + s + "." + key, require(expected, "step" + s + "." + key),
                                    params.get(key), require(expected, "grad." + key), 2e-4,
                                    opt.get("lr").asDouble(), s);
                            // a shadow is a weighted mean of the parameters: the same elements are undetermined
                            assertStepped("ema" + s + "." + key, require(expected, "ema" + s + "." + key),
                                    ema.shadows().get(key), require(expected, "grad." + key), 2e-4,
                                    opt.get("lr").asDouble(), s);
                        }
                    }
                }
                try (TrainingStep step = TrainingStep.open(params)) {
                    UNet2dConditionModel unet = UNet2dConditionModel.of(unetConfig, step.weights(params, "unet"),
                            DataType.FLOAT32);
                    NDArray pred = unet.forward(noisy, step.manager().create(toLongs(t)), context, null, null);
                    assertLoss("loss after the last step", expectedLoss[steps],
                            objective.loss(pred, target, t).getFloat());
                }
                assertEquals(steps, adam.stepCount());
            }
        }
    }

    static int[] toInts(NDArray a) {
        long[] l = a.toType(DataType.INT64, false).toLongArray();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            out[i] = (int) l[i];
        }
        return out;
    }

    static long[] toLongs(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }
}
