package io.latentflow.orchestrator.job;

import ai.djl.ndarray.NDArray;
import io.latentflow.core.sampling.SamplerMemory;
import io.latentflow.core.sampling.StepListener;
import io.micrometer.core.instrument.Counter;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * A job's step listener: a progress event after every step, a checkpoint of the latents with the sampler's memory
 * when one is due or the job is about to stop (a shutdown hands the job over at the step where it was), and a preview
 * of the predicted image every {@code preview_every_steps} steps when the job asked for them. Checkpoints are written
 * beside the sampling loop; a step's event follows once its checkpoint is stored, in the job's {@link OrderedEvents}.
 */
final class JobProgress implements StepListener {

    private final String jobId;
    private final LatentsCheckpoints checkpoints;
    private final JobTracker tracker;
    private final OrderedEvents events;
    private final Counter steps;
    private final int previewEvery;
    private final BiFunction<Integer, NDArray, String> previews;
    private SamplerMemory memory;
    /** When the first step of this run began (the job's start; a resumed job counts from its resumption). */
    private final long startedNanos = System.nanoTime();
    private int firstStep = -1;

    /**
     * @param previewEvery a preview every N steps, 0: none
     * @param previews     stores the preview of a step's predicted x0 and returns its object key
     */
    JobProgress(String jobId, LatentsCheckpoints checkpoints, JobTracker tracker, OrderedEvents events,
            Counter steps, int previewEvery, BiFunction<Integer, NDArray, String> previews) {
        this.jobId = jobId;
        this.steps = steps;
        this.checkpoints = checkpoints;
        this.tracker = tracker;
        this.events = events;
        this.previewEvery = previewEvery;
        this.previews = previews;
    }

    @Override
    public void onMemory(int index, SamplerMemory stepMemory) {
        memory = stepMemory;
    }

    /** The remaining steps at the pace of the steps run so far. */
    private double etaSeconds(int step, int total) {
        if (firstStep < 0) {
            firstStep = step - 1;
        }
        double secondsPerStep = (System.nanoTime() - startedNanos) / 1e9 / (step - firstStep);
        return secondsPerStep * (total - step);
    }

    @Override
    public void onStep(int index, int total, float timestep, NDArray latents, NDArray predOriginalSample) {
        events.throwIfFailed();
        int step = index + 1;
        steps.increment();
        boolean save = checkpoints.due(step, total) || tracker.shouldStop(jobId) && step < total;
        CompletableFuture<String> latentsKey = save ? checkpoints.save(jobId, step, latents, memory)
                : CompletableFuture.completedFuture("");
        boolean preview = previewEvery > 0 && step % previewEvery == 0 && step < total && predOriginalSample != null;
        String previewKey = preview ? previews.apply(step, predOriginalSample) : "";
        double eta = etaSeconds(step, total);
        events.publishWhenStored(latentsKey,
                key -> GenerationEvents.progress(jobId, step, total, key, previewKey, eta));
    }
}
