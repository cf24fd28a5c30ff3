package io.latentflow.core.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentflow.core.schedule.Schedule;

/**
 * The loop every sampler shares: scale the input, evaluate the model, step, blend, report, check cancellation; a
 * resumed run first takes back its memory.
 */
final class SamplingLoop {
    private SamplingLoop() {
    }

    static NDArray run(Sampler sampler, Denoiser denoiser, NDArray latents, Schedule schedule, NoiseSource noise,
                       StepListener listener, Cancellation cancellation, Sampler.StepBlend blend,
                       SamplerMemory resumeFrom) {
        NDManager owner = latents.getManager();
        try (NDManager runManager = owner.newSubManager()) {
            Sampler.Run run = sampler.start(schedule, noise, runManager);
            NDArray x = latents.duplicate();
            x.attach(runManager);
            if (resumeFrom != null) {
                if (resumeFrom.history() != null) {
                    run.restore(resumeFrom.history(), resumeFrom.historySteps());
                }
                noise.skip(resumeFrom.noiseDraws() - noise.draws(), x.getShape(), runManager);
            }
            int total = schedule.steps();
            for (int i = schedule.beginIndex(); i < schedule.endIndex(); i++) {
                cancellation.throwIfCancelled();
                NDArray next;
                try (NDManager scope = runManager.newSubManager()) {
                    scope.tempAttachAll(x);
                    float t = schedule.timestep(i);
                    NDArray modelInput = sampler.scaleModelInput(x, schedule, i);
                    NDArray modelOutput = denoiser.predict(modelInput, t);
                    Sampler.Step step = run.step(i, x, modelOutput, scope);
                    next = step.prevSample();
                    if (blend != null) {
                        next = blend.apply(i, next);
                    }
                    listener.onMemory(i - schedule.beginIndex(),
                            new SamplerMemory(run.history(), run.historySteps(), noise.draws()));
                    listener.onStep(i - schedule.beginIndex(), total, t, next, step.predOriginalSample());
                    next.attach(runManager);
                }
                x.close();
                x = next;
            }
            x.attach(owner);
            return x;
        }
    }
}
