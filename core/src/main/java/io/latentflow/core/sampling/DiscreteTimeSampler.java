package io.latentflow.core.sampling;

import ai.djl.ndarray.NDArray;
import io.latentflow.core.schedule.Schedule;
import io.latentflow.core.schedule.Schedules;

/**
 * A sampler that walks the integer training timesteps of the variance-preserving process (DDPM, DDIM): its schedule
 * has no sigmas, the model sees x_t unscaled and noising is q_sample (DDPM eq. 4) at the step's timestep.
 */
interface DiscreteTimeSampler extends Sampler {

    @Override
    default Schedule schedule(int steps) {
        return Schedules.discrete(config(), steps);
    }

    @Override
    default NDArray addNoise(NDArray originalSample, NDArray noise, Schedule schedule, int... indices) {
        int[] timesteps = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            timesteps[i] = Math.round(schedule.timestep(indices[i]));
        }
        return schedule.noise().addNoise(originalSample, noise, timesteps);
    }
}
