package io.latentflow.core.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentflow.core.schedule.Schedule;

/** The loop every sampler shares: scale the input, evaluate the model, step, blend, report, check cancellation. */
final class SamplingLoop {
    private SamplingLoop() {
    }

    static NDArray run(Sampler sampler, Denoiser denoiser, NDArray latents, Schedule schedule, NoiseSource noise,
                       StepListener listener, Cancellation cancellation, Sampler.StepBlend blend) {
        NDManager owner = latents.getManager();
        try (NDManager runManager = owner.newSubManager()) {
            Sampler.Run run = sampler.start(schedule, noise, runManager);
            NDArray x = latents.duplicate();
            x.attach(runManager);
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
