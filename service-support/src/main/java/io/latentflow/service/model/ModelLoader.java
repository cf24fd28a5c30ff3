package io.latentflow.service.model;

import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.model.PipelineFolder;

/** Builds a service's model (UNet, VAE, prompt encoder) from a diffusers pipeline folder. */
@FunctionalInterface
public interface ModelLoader<M> {

    M load(PipelineFolder folder, ModelOptions options);
}
