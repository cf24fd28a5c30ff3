package io.latentflow.vae.model;

import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.vae.AutoencoderKl;
import io.latentflow.service.storage.ModelId;

/** A VAE held by the registry, with the id it was resolved to and the options it was loaded with. */
public record LoadedVae(ModelId id, AutoencoderKl vae, ModelOptions options) {
}
