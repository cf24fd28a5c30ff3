package io.latentflow.orchestrator.job;

import ai.djl.ndarray.NDArray;
import io.latentflow.core.sampling.SamplerMemory;
import io.latentflow.core.sampling.StepListener;
import io.latentflow.orchestrator.messaging.EventPublisher;
import io.micrometer.core.instrument.Counter;

/**
 * A job's step listener: a progress event after every step, and a checkpoint of the latents with the sampler's memory
 * when one is due or the job is about to stop (a shutdown hands the job over at the step where it was).
 */
final class JobProgress implements StepListener {

    private final String jobId;
    private final LatentsCheckpoints checkpoints;
    private final JobTracker tracker;
    private final EventPublisher events;
    private final Counter steps;
    private SamplerMemory memory;

    JobProgress(String jobId, LatentsCheckpoints checkpoints, JobTracker tracker, EventPublisher events,
            Counter steps) {
        this.jobId = jobId;
        this.steps = steps;
        this.checkpoints = checkpoints;
        this.tracker = tracker;
        this.events = events;
    }

    @Override
    public void onMemory(int index, SamplerMemory stepMemory) {
        memory = stepMemory;
    }

    @Override
    public void onStep(int index, int total, float timestep, NDArray latents, NDArray predOriginalSample) {
        int step = index + 1;
        steps.increment();
        boolean save = checkpoints.due(step, total) || tracker.shouldStop(jobId) && step < total;
        String latentsKey = save ? checkpoints.save(jobId, step, latents, memory) : "";
        events.publish(GenerationEvents.progress(jobId, step, total, latentsKey));
    }
}
