package io.latentflow.core.sampling;

import io.latentflow.core.schedule.Schedule;

/** Integer training timesteps of schedule steps, for variance-preserving q_sample. */
final class DiscreteTimesteps {
    private DiscreteTimesteps() {
    }

    static int[] at(Schedule schedule, int[] indices) {
        int[] t = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            t[i] = Math.round(schedule.timestep(indices[i]));
        }
        return t;
    }
}
