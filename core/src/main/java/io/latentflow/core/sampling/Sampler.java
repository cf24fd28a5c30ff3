package io.latentflow.core.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentflow.core.schedule.PredictionType;
import io.latentflow.core.schedule.Schedule;
import io.latentflow.core.schedule.SchedulerConfig;

import java.util.EnumSet;
import java.util.Set;

/**
 * A reverse-diffusion sampler: turns a noisy sample into a clean one by repeated model evaluations.
 *
 * <p>Samplers keep no state between runs (any multistep history is local to one run), take all randomness from a
 * {@link NoiseSource}, report progress only through a {@link StepListener} and check for cancellation between steps,
 * so one instance serves concurrent jobs.
 */
public interface Sampler {

    /** The name {@link Samplers#create} knows it by. */
    String name();

    /** The scheduler configuration it was made from. */
    SchedulerConfig config();

    /** Prediction types this sampler can consume: all of them unless a sampler says otherwise. */
    default Set<PredictionType> supportedPredictionTypes() {
        return EnumSet.allOf(PredictionType.class);
    }

    /** The timesteps (and sigmas) of an n-step run. */
    Schedule schedule(int steps);

    /**
     * What the model sees for sample x at step {@code index}: x itself for variance-preserving samples; samplers of
     * variance-exploding samples override it with x / sqrt(sigma^2 + 1).
     */
    default NDArray scaleModelInput(NDArray sample, Schedule schedule, int index) {
        return sample;
    }

    /**
     * Noises a clean sample to the level of step {@code indices[b]} of the schedule (one index for all items, or one
     * per batch item): the starting point of img2img and the known region of inpainting.
     */
    NDArray addNoise(NDArray originalSample, NDArray noise, Schedule schedule, int... indices);

    /** Fresh per-run state (for example a multistep history), owned by {@code runManager}. */
    Run start(Schedule schedule, NoiseSource noise, NDManager runManager);

    /**
     * Runs the steps of {@code schedule}'s window from {@code latents} (x at the first step; scale pure noise by
     * {@link Schedule#initNoiseSigma()} first). The result is attached to {@code latents.getManager()}.
     */
    default NDArray sample(Denoiser denoiser, NDArray latents, Schedule schedule, NoiseSource noise,
                           StepListener listener) {
        return SamplingLoop.run(this, denoiser, latents, schedule, noise, listener, Cancellation.NONE, null, null);
    }

    /** As {@link #sample(Denoiser, NDArray, Schedule, NoiseSource, StepListener)}, stoppable between steps. */
    default NDArray sample(Denoiser denoiser, NDArray latents, Schedule schedule, NoiseSource noise,
                           StepListener listener, Cancellation cancellation) {
        return SamplingLoop.run(this, denoiser, latents, schedule, noise, listener, cancellation, null, null);
    }

    /** As above, with latents replaced after every step by {@code blend} (inpainting's known-region blend). */
    default NDArray sample(Denoiser denoiser, NDArray latents, Schedule schedule, NoiseSource noise,
                           StepListener listener, Cancellation cancellation, StepBlend blend) {
        return SamplingLoop.run(this, denoiser, latents, schedule, noise, listener, cancellation, blend, null);
    }

    /**
     * As above, continuing a run that was cut off: {@code memory} is what the listener heard after the step before
     * the schedule's window (its history restored, the noise stream advanced to its draw count).
     */
    default NDArray resume(Denoiser denoiser, NDArray latents, Schedule schedule, NoiseSource noise,
                           StepListener listener, Cancellation cancellation, StepBlend blend, SamplerMemory memory) {
        return SamplingLoop.run(this, denoiser, latents, schedule, noise, listener, cancellation, blend, memory);
    }

    /** The state of one run: advances x_t to x_{t-1} given the model output at step {@code index}. */
    interface Run {
        /** One step; arrays are created in {@code scope} (the step's manager). */
        Step step(int index, NDArray sample, NDArray modelOutput, NDManager scope);

        /** The multistep history after the last step, or null for a sampler without one. */
        default NDArray history() {
            return null;
        }

        /** Steps made towards the multistep order. */
        default int historySteps() {
            return 0;
        }

        /** Takes the history of a run that was cut off (copied into the run's manager). */
        default void restore(NDArray history, int historySteps) {
        }
    }

    /**
     * The result of one step.
     *
     * @param prevSample          x_{t-1}
     * @param predOriginalSample  the step's estimate of x0
     */
    record Step(NDArray prevSample, NDArray predOriginalSample) {
    }

    /** Replaces the latents after a step (before listeners see them). */
    interface StepBlend {
        /** The latents to continue from after step {@code index}. */
        NDArray apply(int index, NDArray latents);
    }
}
