package io.latentflow.orchestrator.job;

import io.latentflow.core.sampling.Sampler;
import io.latentflow.core.sampling.SamplerOptions;
import io.latentflow.core.sampling.Samplers;
import io.latentflow.core.schedule.Schedule;
import io.latentflow.core.schedule.SchedulerConfig;

/** Makes the core sampler a job names, from the model's scheduler configuration. */
public final class SamplerChoice {

    private SamplerChoice() {
    }

    /**
     * The sampler for {@code spec}; throws {@link InvalidRequestException} on field {@code sampler} when it cannot
     * serve this model (for example a prediction type it does not support).
     */
    public static Sampler create(JobSpec spec, SchedulerConfig config) {
        try {
            return Samplers.create(spec.sampler(), config, new SamplerOptions(spec.eta(), spec.karras() ? true : null));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("sampler", e.getMessage());
        }
    }

    /**
     * The sampler's schedule for {@code steps} steps; throws {@link InvalidRequestException} on field {@code steps}
     * when a timestep falls outside the model's training schedule (with "leading" spacing and steps_offset 1, for
     * example, 1000 steps of a 1000-step schedule would ask for t = 1000).
     */
    public static Schedule schedule(Sampler sampler, int steps) {
        Schedule schedule;
        try {
            schedule = sampler.schedule(steps);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("steps", e.getMessage());
        }
        int trainSteps = sampler.config().numTrainTimesteps();
        for (float timestep : schedule.timesteps()) {
            if (timestep < 0 || timestep > trainSteps - 1) {
                throw new InvalidRequestException("steps", steps + " steps of sampler " + sampler.name()
                        + " reach timestep " + timestep + ", outside this model's training schedule [0, "
                        + (trainSteps - 1) + "]; use fewer steps");
            }
        }
        return schedule;
    }

    /**
     * img2img: the last int(steps * strength) steps of {@code schedule}; throws {@link InvalidRequestException} on
     * field {@code strength} when that leaves no step.
     */
    public static Schedule forStrength(Schedule schedule, JobSpec spec) {
        Schedule window = schedule.forStrength(spec.strength());
        if (window.steps() < 1) {
            throw new InvalidRequestException("strength", "strength " + spec.strength() + " of " + spec.steps()
                    + " steps leaves no denoising step; raise steps or strength");
        }
        return window;
    }
}
