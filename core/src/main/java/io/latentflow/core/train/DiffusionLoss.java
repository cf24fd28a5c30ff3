package io.latentflow.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.schedule.NoiseSchedule;
import io.latentflow.core.schedule.PredictionType;

/**
 * The denoising objective of latent diffusion training as diffusers' train_text_to_image computes it: offset noise,
 * q_sample, the target of the prediction type, the mean squared error and its optional min-SNR-gamma weighting.
 *
 * <p>Notation: x0 clean latents, eps ~ N(0, I), t per sample, abar_t = alphaCumprod[t],
 * x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps (DDPM, Ho et al. 2020, eq. 4), SNR(t) = abar_t / (1 - abar_t).
 *
 * @param schedule       the training noise schedule (abar_t)
 * @param predictionType what the model predicts: eps (DDPM eq. 14), v (Salimans and Ho 2022) or x0
 * @param snrGamma       gamma of min-SNR weighting (Hang et al. 2023, eq. 9), or 0 for the plain mean
 * @param noiseOffset    scale of the per-channel offset added to the noise (0 for none)
 */
public record DiffusionLoss(NoiseSchedule schedule, PredictionType predictionType, double snrGamma,
                            double noiseOffset) {

    public DiffusionLoss {
        if (!(snrGamma >= 0)) {
            throw new IllegalArgumentException("snr_gamma must be >= 0 (0 turns it off), got " + snrGamma);
        }
        if (!(noiseOffset >= 0)) {
            throw new IllegalArgumentException("noise_offset must be >= 0, got " + noiseOffset);
        }
    }

    /**
     * eps = base + noiseOffset * offsetDraw: offset noise (Guttenberg 2023), one N(0, 1) value per sample and
     * channel broadcast over the pixels, so the model can learn to change an image's mean brightness.
     *
     * @param base       N(0, I) noise (B, C, h, w)
     * @param offsetDraw N(0, I) draws (B, C, 1, 1); ignored when noiseOffset is 0
     */
    public NDArray noise(NDArray base, NDArray offsetDraw) {
        return noiseOffset == 0 ? base : base.add(offsetDraw.mul((float) noiseOffset));
    }

    /** q_sample: x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps. */
    public NDArray noisy(NDArray x0, NDArray noise, int[] timesteps) {
        return schedule.addNoise(x0, noise, timesteps);
    }

    /** The regression target: eps, v = sqrt(abar_t) eps - sqrt(1 - abar_t) x0, or x0. */
    public NDArray target(NDArray x0, NDArray noise, int[] timesteps) {
        return switch (predictionType) {
            case EPSILON -> noise;
            case V_PREDICTION -> schedule.velocity(x0, noise, timesteps);
            case SAMPLE -> x0;
        };
    }

    /** Mean over (C, h, w) of (prediction - target)^2 per sample: (B). */
    public static NDArray perSampleMse(NDArray prediction, NDArray target) {
        long batch = prediction.getShape().get(0);
        return prediction.sub(target).square().reshape(batch, -1).mean(new int[] {1});
    }

    /**
     * SNR(t) per sample as diffusers' compute_snr: (sqrt(abar) / sqrt(1 - abar))^2, each factor in float32.
     */
    public float[] snr(int[] timesteps) {
        float[] out = new float[timesteps.length];
        for (int i = 0; i < timesteps.length; i++) {
            float abar = schedule.alphaCumprod(timesteps[i]);
            float alpha = (float) Math.sqrt(abar);
            float sigma = (float) Math.sqrt(1f - abar);
            float ratio = alpha / sigma;
            out[i] = ratio * ratio;
        }
        return out;
    }

    /**
     * min-SNR-gamma weights per sample: min(SNR, gamma), divided by SNR for eps and by SNR + 1 for v (the weight
     * expressed for those targets), kept as is for x0.
     */
    public float[] minSnrWeights(int[] timesteps) {
        float[] snr = snr(timesteps);
        float[] w = new float[snr.length];
        for (int i = 0; i < snr.length; i++) {
            float clipped = Math.min(snr[i], (float) snrGamma);
            w[i] = switch (predictionType) {
                case EPSILON -> clipped / snr[i];
                case V_PREDICTION -> clipped / (snr[i] + 1f);
                case SAMPLE -> clipped;
            };
        }
        return w;
    }

    /**
     * The training loss: mean((prediction - target)^2) over everything, or with snrGamma > 0
     * mean_b(w_b * mse_b) with the min-SNR weights.
     */
    public NDArray loss(NDArray prediction, NDArray target, int[] timesteps) {
        if (snrGamma == 0) {
            return prediction.sub(target).square().mean();
        }
        NDManager manager = prediction.getManager();
        NDArray weights = manager.create(minSnrWeights(timesteps), new Shape(timesteps.length));
        return perSampleMse(prediction, target).mul(weights).mean();
    }
}
