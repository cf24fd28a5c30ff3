package io.latentflow.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.nn.Scalars;
import io.latentflow.core.schedule.NoiseSchedule;
import io.latentflow.core.schedule.PredictionType;
import io.latentflow.core.schedule.SchedulerConfig;
import io.latentflow.core.schedule.TimestepSpacing;

/**
 * Latent diffusion's training loss (CompVis LatentDiffusion.p_losses with DDPM.register_schedule): the simple loss
 * weighted by a learned per-timestep log-variance plus a small multiple of the variational bound term,
 * <pre>
 *   L_simple(b) = mean_{C,h,w} (pred - target)^2
 *   loss  = w_simple * mean_b(L_simple(b) / exp(logvar[t_b]) + logvar[t_b]) + w_elbo * mean_b(lambda_t L_simple(b))
 *   lambda_t = beta_t^2 / (2 sigma_t^2 alpha_t (1 - abar_t))     (eps; DDPM eq. 12 weights, lambda_0 = lambda_1)
 *   lambda_t = 0.5 sqrt(abar_t) / (2 - abar_t)                  (x0, as the reference writes it)
 *   sigma_t^2 = (1 - v) beta_t (1 - abar_{t-1}) / (1 - abar_t) + v beta_t   (posterior variance, v = v_posterior)
 * </pre>
 * Buffers are derived in float64 and stored as float32, and lambda_t is evaluated on the float32 buffers, as the
 * reference does.
 *
 * @param lvlbWeights     lambda_t per timestep
 * @param simpleWeight    w_simple (l_simple_weight)
 * @param elboWeight      w_elbo (original_elbo_weight)
 */
public record VlbWeightedLoss(float[] lvlbWeights, double simpleWeight, double elboWeight) {

    /** What one evaluation gives: the total and its two logged parts. */
    public record Terms(NDArray loss, NDArray lossSimple, NDArray lossVlb) {
    }

    /**
     * The loss for a schedule's float64 betas.
     *
     * @param betas          beta_t in float64 (make_beta_schedule)
     * @param predictionType EPSILON or SAMPLE (the reference has no lambda_t for v)
     * @param vPosterior     v in the posterior variance
     */
    public static VlbWeightedLoss of(double[] betas, PredictionType predictionType, double vPosterior,
                                     double simpleWeight, double elboWeight) {
        int n = betas.length;
        double[] abar = new double[n];
        double prod = 1;
        for (int t = 0; t < n; t++) {
            prod *= 1 - betas[t];
            abar[t] = prod;
        }
        float[] w = new float[n];
        for (int t = 0; t < n; t++) {
            double abarPrev = t == 0 ? 1.0 : abar[t - 1];
            float posteriorVariance = (float) ((1 - vPosterior) * betas[t] * (1 - abarPrev) / (1 - abar[t])
                    + vPosterior * betas[t]);
            float beta = (float) betas[t];
            float alpha = (float) (1 - betas[t]);
            float abar32 = (float) abar[t];
            w[t] = switch (predictionType) {
                case EPSILON -> beta * beta / (2 * posteriorVariance * alpha * (1 - abar32));
                case SAMPLE -> (float) (0.5 * Math.sqrt(abar32) / (2.0 - abar32));
                case V_PREDICTION -> throw new IllegalArgumentException(
                        "the variational bound weights are defined for epsilon and sample prediction, not v_prediction");
            };
        }
        w[0] = w[1];
        return new VlbWeightedLoss(w, simpleWeight, elboWeight);
    }

    /**
     * LDM's make_beta_schedule in float64: linear is linear in sqrt(beta) (diffusers' scaled_linear), sqrt_linear
     * linear in beta (diffusers' linear), sqrt the square root of the linear one.
     */
    public static double[] ldmBetas(String schedule, int timesteps, double linearStart, double linearEnd) {
        double[] b;
        switch (schedule) {
            case "linear" -> {
                b = TimestepSpacing.linspace(Math.sqrt(linearStart), Math.sqrt(linearEnd), timesteps);
                for (int i = 0; i < b.length; i++) {
                    b[i] = b[i] * b[i];
                }
            }
            case "sqrt_linear" -> b = TimestepSpacing.linspace(linearStart, linearEnd, timesteps);
            case "sqrt" -> {
                b = TimestepSpacing.linspace(linearStart, linearEnd, timesteps);
                for (int i = 0; i < b.length; i++) {
                    b[i] = Math.sqrt(b[i]);
                }
            }
            default -> throw new IllegalArgumentException("LDM beta schedule must be linear, sqrt_linear or sqrt, not '"
                    + schedule + "'");
        }
        return b;
    }

    /**
     * The float64 betas of a diffusers scheduler configuration: its scaled_linear and linear schedules are LDM's
     * linear and sqrt_linear; any other schedule is taken from its float32 betas.
     */
    public static double[] betasOf(SchedulerConfig config) {
        return switch (config.betaSchedule()) {
            case "scaled_linear" -> ldmBetas("linear", config.numTrainTimesteps(), config.betaStart(),
                    config.betaEnd());
            case "linear" -> ldmBetas("sqrt_linear", config.numTrainTimesteps(), config.betaStart(),
                    config.betaEnd());
            default -> {
                float[] f = NoiseSchedule.of(config).betas();
                double[] d = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    d[i] = f[i];
                }
                yield d;
            }
        };
    }

    /**
     * The loss for per-sample squared errors and the current log-variances.
     *
     * @param perSampleMse L_simple per sample (B)
     * @param timesteps    t per sample
     * @param logvar       the (learned) log-variance per timestep (T), or null for zeros
     */
    public Terms loss(NDArray perSampleMse, int[] timesteps, NDArray logvar) {
        NDManager manager = perSampleMse.getManager();
        float[] lambda = new float[timesteps.length];
        for (int i = 0; i < timesteps.length; i++) {
            lambda[i] = lvlbWeights[timesteps[i]];
        }
        NDArray weighted = perSampleMse;
        if (logvar != null) {
            NDArray logvarT = logvar.get(manager.create(timesteps));
            weighted = perSampleMse.div(logvarT.exp()).add(logvarT);
        }
        NDArray lossSimple = perSampleMse.mean();
        NDArray lossVlb = perSampleMse.mul(manager.create(lambda, new Shape(lambda.length))).mean();
        NDArray loss = Scalars.mul(weighted.mean(), simpleWeight).add(Scalars.mul(lossVlb, elboWeight));
        return new Terms(loss, lossSimple, lossVlb);
    }
}
