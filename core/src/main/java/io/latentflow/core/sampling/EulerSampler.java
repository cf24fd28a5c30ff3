package io.latentflow.core.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentflow.core.schedule.Schedule;
import io.latentflow.core.schedule.SchedulerConfig;
import io.latentflow.core.schedule.Schedules;

/**
 * Euler's method on the probability-flow ODE dx/dsigma = (x - x0^(x, sigma)) / sigma (Karras et al. 2022,
 * Algorithm 1 without churn), in the variance-exploding parameterisation x = x0 + sigma eps.
 *
 * <p>Names: sigma = sigma_i, sigmaNext = sigma_{i+1}.
 *
 * @param karras use Karras sigmas
 */
public record EulerSampler(SchedulerConfig config, boolean karras) implements VarianceExplodingSampler {

    @Override
    public String name() {
        return "euler";
    }

    @Override
    public Schedule schedule(int steps) {
        return Schedules.eulerSigmas(config, steps, karras);
    }

    @Override
    public Run start(Schedule schedule, NoiseSource noise, NDManager runManager) {
        return (index, sample, modelOutput, scope) -> {
            float sigma = schedule.sigma(index);
            float sigmaNext = schedule.sigma(index + 1);
            // 1. x0^ on x = x0 + sigma eps (alpha = 1)
            NDArray predOriginalSample = config.predictionType().originalSample(sample, modelOutput, 1.0, sigma);
            // 2. x_{i+1} = x_i + (sigma_{i+1} - sigma_i) d_i
            NDArray prevSample = SigmaSamplers.eulerStep(sample, predOriginalSample, sigma, sigmaNext);
            return new Step(prevSample, predOriginalSample);
        };
    }
}
