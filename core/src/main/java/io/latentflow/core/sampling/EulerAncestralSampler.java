package io.latentflow.core.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentflow.core.schedule.PredictionType;
import io.latentflow.core.schedule.Schedule;
import io.latentflow.core.schedule.SchedulerConfig;
import io.latentflow.core.schedule.Schedules;

import java.util.EnumSet;
import java.util.Set;

/**
 * Ancestral Euler sampling (k-diffusion's sample_euler_ancestral): an Euler step down to sigmaDown, then fresh noise
 * of standard deviation sigmaUp, so that sigmaDown^2 + sigmaUp^2 = sigmaNext^2.
 *
 * <p>Names: sigma = sigma_i, sigmaNext = sigma_{i+1},
 * sigmaUp = sqrt(sigmaNext^2 (sigma^2 - sigmaNext^2) / sigma^2), sigmaDown = sqrt(sigmaNext^2 - sigmaUp^2).
 */
public record EulerAncestralSampler(SchedulerConfig config) implements VarianceExplodingSampler {

    @Override
    public String name() {
        return "euler-a";
    }

    @Override
    public Set<PredictionType> supportedPredictionTypes() {
        return EnumSet.of(PredictionType.EPSILON, PredictionType.V_PREDICTION);
    }

    @Override
    public Schedule schedule(int steps) {
        return Schedules.eulerSigmas(config, steps, false);
    }

    @Override
    public Run start(Schedule schedule, NoiseSource noise, NDManager runManager) {
        return (index, sample, modelOutput, scope) -> {
            float sigma = schedule.sigma(index);
            float sigmaNext = schedule.sigma(index + 1);
            // 1. x0^ on x = x0 + sigma eps
            NDArray predOriginalSample = config.predictionType().originalSample(sample, modelOutput, 1.0, sigma);
            // 2. split sigma_{i+1} into a deterministic part sigmaDown and a fresh-noise part sigmaUp
            float sigmaUp = (float) Math.sqrt(sigmaNext * sigmaNext * (sigma * sigma - sigmaNext * sigmaNext)
                    / (sigma * sigma));
            float sigmaDown = (float) Math.sqrt(sigmaNext * sigmaNext - sigmaUp * sigmaUp);
            // 3. Euler step to sigmaDown: x + (sigmaDown - sigma) (x - x0^) / sigma
            NDArray prevSample = SigmaSamplers.eulerStep(sample, predOriginalSample, sigma, sigmaDown);
            // 4. + sigmaUp z
            NDArray z = noise.next(modelOutput.getShape(), scope);
            prevSample = prevSample.add(z.mul(sigmaUp));
            return new Step(prevSample, predOriginalSample);
        };
    }
}
