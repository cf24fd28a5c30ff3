package io.latentflow.textencoder.model;

import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.text.PromptEncoder;
import io.latentflow.service.storage.ModelId;

/** A prompt encoder held by the registry, with the id it was resolved to and the options it was loaded with. */
public record LoadedPromptEncoder(ModelId id, PromptEncoder encoder, ModelOptions options) {
}
