package io.latentflow.service.model;

import io.latentflow.core.model.ModelOptions;
import io.latentflow.service.storage.ModelId;

/** A model held by a registry, with the id it was resolved to and the options it was loaded with. */
public record LoadedModel<M>(ModelId id, M model, ModelOptions options) {
}
