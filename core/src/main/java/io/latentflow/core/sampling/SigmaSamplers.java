package io.latentflow.core.sampling;

import ai.djl.ndarray.NDArray;
import io.latentflow.core.schedule.NoiseSchedule;
import io.latentflow.core.schedule.Schedule;

/** Arithmetic the sigma-parameterised samplers share: the Euler step, variance-preserving noising, alpha of sigma. */
final class SigmaSamplers {
    private SigmaSamplers() {
    }

    /** x = alpha_i x0 + sigma'_i eps with alpha_i = 1 / sqrt(sigma_i^2 + 1), sigma'_i = sigma_i alpha_i. */
    static NDArray addNoiseVp(NDArray originalSample, NDArray noise, Schedule schedule, int[] indices) {
        NDArray alpha = NoiseSchedule.perItem(originalSample, indices, i -> alphaOf(schedule.sigma(i)));
        NDArray sigma = NoiseSchedule.perItem(originalSample, indices,
                i -> schedule.sigma(i) * alphaOf(schedule.sigma(i)));
        return originalSample.mul(alpha).add(noise.mul(sigma));
    }

    /**
     * One Euler step of the probability-flow ODE from sigma to sigmaTo (Karras et al. 2022, Algorithm 1, lines 4-5
     * without churn): x + (sigmaTo - sigma) d with the derivative d = (x - x0^) / sigma.
     */
    static NDArray eulerStep(NDArray sample, NDArray predOriginalSample, float sigma, float sigmaTo) {
        NDArray derivative = sample.sub(predOriginalSample).div(sigma);
        return sample.add(derivative.mul(sigmaTo - sigma));
    }

    /** alpha_t = 1 / sqrt(sigma^2 + 1) in float32. */
    static float alphaOf(float sigma) {
        return 1f / (float) Math.sqrt(sigma * sigma + 1f);
    }
}
