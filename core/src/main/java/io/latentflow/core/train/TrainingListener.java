package io.latentflow.core.train;

import ai.djl.ndarray.NDArray;

import java.util.Map;

/** What a training run reports while it runs; services turn these into progress on their stream. */
public interface TrainingListener {

    /** After every optimizer step: the loss terms, the learning rate used and the throughput so far. */
    void progress(long step, long totalSteps, Map<String, Double> losses, double learningRate,
                  double samplesPerSecond);

    /** A checkpoint was stored. */
    void checkpoint(long step, String location);

    /**
     * Validation samples: scaled latents of the validation prompts (UNet runs) or reconstructed images in [-1, 1]
     * (VAE runs); valid only during the call.
     */
    void sample(long step, NDArray latentsOrImages, boolean images);

    /** A remark for the run's log (for example a term that is off). */
    default void note(String message) {
    }
}
