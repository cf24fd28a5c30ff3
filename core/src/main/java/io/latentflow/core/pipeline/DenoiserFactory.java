package io.latentflow.core.pipeline;

import io.latentflow.core.sampling.Denoiser;

/**
 * The UNet side of a pipeline: a {@link Denoiser} with one generation's conditioning bound. In this JVM it is the
 * folder's UNet; across services it is the denoiser service.
 */
public interface DenoiserFactory {

    /** A denoiser evaluating the UNet under {@code conditioning}, guidance applied inside. */
    Denoiser denoiser(UNetConditioning conditioning);
}
