package io.latentflow.core.sampling;

import ai.djl.ndarray.NDArray;
import io.latentflow.core.schedule.NoiseSchedule;
import io.latentflow.core.schedule.Schedule;

/**
 * A sampler that walks the variance-exploding sample x = x0 + sigma eps (Karras et al. 2022, sec. 2) over a sigma
 * schedule (Euler, Euler ancestral): the model sees the variance-preserving x / sqrt(sigma^2 + 1) and noising adds
 * sigma_i eps.
 */
interface VarianceExplodingSampler extends Sampler {

    @Override
    default NDArray scaleModelInput(NDArray sample, Schedule schedule, int index) {
        float sigma = schedule.sigma(index);
        float norm = (float) Math.sqrt(sigma * sigma + 1f);
        return sample.div(norm);
    }

    @Override
    default NDArray addNoise(NDArray originalSample, NDArray noise, Schedule schedule, int... indices) {
        NDArray sigma = NoiseSchedule.perItem(originalSample, indices, i -> schedule.sigma(i));
        return originalSample.add(noise.mul(sigma));
    }
}
