package io.latentflow.core.sampling;

import ai.djl.ndarray.NDArray;

/**
 * Observes a sampling run after each step: the only way progress leaves the sampler.
 *
 * <p>The arrays are valid only during the call (copy them to keep them).
 */
public interface StepListener {
    /** A listener that ignores every step. */
    StepListener NONE = (index, total, timestep, latents, predOriginalSample) -> { };

    /**
     * Called after step {@code index} (0-based within the run) of {@code total}.
     *
     * @param timestep           the timestep the model was evaluated at
     * @param latents            x_{t-1}, the sample after the step
     * @param predOriginalSample the step's estimate of x0
     */
    void onStep(int index, int total, float timestep, NDArray latents, NDArray predOriginalSample);

    /**
     * Called after step {@code index}, just before {@link #onStep}, with what a resume after this step needs beside
     * the latents; its history array is valid only until the next step.
     */
    default void onMemory(int index, SamplerMemory memory) {
    }

    /** {@code inner} with steps renumbered: step i of a run reported as step offset + i of {@code total}. */
    static StepListener renumbered(StepListener inner, int offset, int total) {
        return new StepListener() {
            @Override
            public void onStep(int index, int n, float timestep, NDArray latents, NDArray predOriginalSample) {
                inner.onStep(offset + index, total, timestep, latents, predOriginalSample);
            }

            @Override
            public void onMemory(int index, SamplerMemory memory) {
                inner.onMemory(offset + index, memory);
            }
        };
    }
}
