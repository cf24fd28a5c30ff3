package io.latentflow.service.model;

import io.latentflow.service.storage.ModelId;
import java.util.Optional;

/** The default model's id once loaded ({@code loaded} present), else the reason it is not. */
public record DefaultModelState(ModelId loaded, String problem) {

    public Optional<ModelId> loadedId() {
        return Optional.ofNullable(loaded);
    }
}
