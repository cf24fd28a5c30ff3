package io.latentflow.core.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentflow.core.schedule.NoiseSchedule;
import io.latentflow.core.schedule.PredictionType;
import io.latentflow.core.schedule.Schedule;
import io.latentflow.core.schedule.SchedulerConfig;

/**
 * DDIM (Song et al. 2020, "Denoising diffusion implicit models", eq. 12), with eta interpolating between the
 * deterministic sampler (eta = 0) and DDPM-like ancestral sampling (eta = 1).
 *
 * <p>Names: alphaCumprod = alpha_t of the paper (the cumulative product), alphaCumprodPrev = alpha_{t-1},
 * stdDev = sigma_t(eta) of eq. 16. As in diffusers 0.27.2, the previous timestep is t - T div n.
 *
 * @param eta the weight of fresh noise, >= 0
 */
public record DdimSampler(SchedulerConfig config, double eta) implements DiscreteTimeSampler {

    public DdimSampler {
        if (!(eta >= 0)) {
            throw new IllegalArgumentException("eta must be >= 0, got " + eta);
        }
    }

    @Override
    public String name() {
        return "ddim";
    }

    @Override
    public Run start(Schedule schedule, NoiseSource noise, NDManager runManager) {
        NoiseSchedule ns = schedule.noise();
        int stride = config.numTrainTimesteps() / schedule.numInferenceSteps();
        return (index, sample, modelOutput, scope) -> {
            int t = (int) schedule.timestep(index);
            int prevT = t - stride;
            double alphaCumprod = ns.alphaCumprod(t);
            double alphaCumprodPrev = ns.alphaCumprod(prevT);
            double betaCumprod = 1 - alphaCumprod;
            // 1. x0 and eps from the model output (eq. 12, "predicted x0")
            double alpha = Math.sqrt(alphaCumprod);
            double sigma = Math.sqrt(betaCumprod);
            PredictionType type = config.predictionType();
            NDArray predOriginalSample = type.originalSample(sample, modelOutput, alpha, sigma);
            NDArray predEpsilon = type.epsilon(sample, modelOutput, alpha, sigma);
            // 2. optional clipping or dynamic thresholding of x0
            predOriginalSample = DynamicThresholding.apply(config, predOriginalSample);
            // 3. sigma_t(eta) = eta sqrt((1 - alpha_{t-1}) / (1 - alpha_t)) sqrt(1 - alpha_t / alpha_{t-1})  (eq. 16)
            double variance = (1 - alphaCumprodPrev) / betaCumprod * (1 - alphaCumprod / alphaCumprodPrev);
            double stdDev = eta * Math.sqrt(variance);
            // 4. "direction pointing to x_t": sqrt(1 - alpha_{t-1} - sigma_t^2) eps
            NDArray direction = predEpsilon.mul((float) Math.sqrt(1 - alphaCumprodPrev - stdDev * stdDev));
            // 5. x_{t-1} = sqrt(alpha_{t-1}) x0 + direction + sigma_t z
            NDArray prevSample = predOriginalSample.mul((float) Math.sqrt(alphaCumprodPrev)).add(direction);
            if (eta > 0) {
                NDArray z = noise.next(modelOutput.getShape(), scope);
                prevSample = prevSample.add(z.mul((float) stdDev));
            }
            return new Step(prevSample, predOriginalSample);
        };
    }
}
