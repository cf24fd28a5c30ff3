package io.latentflow.orchestrator.job;

import io.latentflow.core.sampling.Sampler;
import io.latentflow.core.sampling.SamplerOptions;
import io.latentflow.core.sampling.Samplers;
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
}
