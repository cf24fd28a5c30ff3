package io.latentflow.core.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentflow.core.schedule.NoiseSchedule;
import io.latentflow.core.schedule.Schedule;
import io.latentflow.core.schedule.SchedulerConfig;

/**
 * Ancestral DDPM sampling (Ho et al. 2020, eq. 6-7): x_{t-1} ~ q(x_{t-1} | x_t, x0^) with variance
 * the configuration's variance_type: fixed_small (beta~_t, the posterior variance) or fixed_large (beta_t).
 *
 * <p>Names: alphaCumprod = alpha-bar_t, alphaCumprodPrev = alpha-bar_{t-1} (1 before t = 0),
 * currentAlpha = alpha_t = alpha-bar_t / alpha-bar_{t-1}, currentBeta = beta_t = 1 - alpha_t.
 */
public record DdpmSampler(SchedulerConfig config) implements DiscreteTimeSampler {

    @Override
    public String name() {
        return "ddpm";
    }

    @Override
    public Run start(Schedule schedule, NoiseSource noise, NDManager runManager) {
        NoiseSchedule ns = schedule.noise();
        int stride = config.numTrainTimesteps() / schedule.numInferenceSteps();
        return (index, sample, modelOutput, scope) -> {
            int t = (int) schedule.timestep(index);
            int prevT = t - stride;
            double alphaCumprod = ns.alphaCumprod(t);
            double alphaCumprodPrev = prevT >= 0 ? ns.alphaCumprod(prevT) : 1.0;
            double betaCumprod = 1 - alphaCumprod;
            double betaCumprodPrev = 1 - alphaCumprodPrev;
            double currentAlpha = alphaCumprod / alphaCumprodPrev;
            double currentBeta = 1 - currentAlpha;
            // 1. x0^ from the model output (eq. 15 for eps)
            NDArray predOriginalSample = config.predictionType().originalSample(
                    sample, modelOutput, Math.sqrt(alphaCumprod), Math.sqrt(betaCumprod));
            predOriginalSample = DynamicThresholding.apply(config, predOriginalSample);
            // 2. posterior mean mu~_t(x_t, x0) = sqrt(a-bar_{t-1}) beta_t / (1 - a-bar_t) x0
            //                                   + sqrt(alpha_t) (1 - a-bar_{t-1}) / (1 - a-bar_t) x_t   (eq. 7)
            double originalCoeff = Math.sqrt(alphaCumprodPrev) * currentBeta / betaCumprod;
            double sampleCoeff = Math.sqrt(currentAlpha) * betaCumprodPrev / betaCumprod;
            NDArray prevSample = predOriginalSample.mul((float) originalCoeff).add(sample.mul((float) sampleCoeff));
            // 3. add sigma_t z for t > 0: sigma_t^2 = beta~_t = (1 - a-bar_{t-1}) / (1 - a-bar_t) beta_t, or beta_t
            if (t > 0) {
                double variance = "fixed_large".equals(config.varianceType())
                        ? currentBeta
                        : Math.max(betaCumprodPrev / betaCumprod * currentBeta, 1e-20);
                NDArray z = noise.next(modelOutput.getShape(), scope);
                prevSample = prevSample.add(z.mul((float) Math.sqrt(variance)));
            }
            return new Step(prevSample, predOriginalSample);
        };
    }
}
