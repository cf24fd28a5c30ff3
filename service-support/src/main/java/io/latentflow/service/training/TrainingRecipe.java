package io.latentflow.service.training;

import io.latentflow.core.sampling.Cancellation;

/**
 * What a service contributes to a training run: reading a prepared job's model and data into core's run
 * ({@link io.latentflow.core.train.UNetTrainingRun}, {@link io.latentflow.core.train.VaeTrainingRun}).
 */
@FunctionalInterface
public interface TrainingRecipe {

    /** Reads the base model's weights and the job's inputs into the context's manager; the run is not started. */
    PreparedRun prepare(TrainingContext context);

    /** A core run ready to go. */
    @FunctionalInterface
    interface PreparedRun {

        /** Runs (or resumes) to max_train_steps and returns the key prefix of the trained components. */
        String run(Cancellation cancellation);
    }
}
