package io.latentflow.denoiser.model;

import io.latentflow.core.model.ModelOptions;
import io.latentflow.core.unet.UNet2dConditionModel;
import io.latentflow.service.storage.ModelId;

/** A UNet held by the registry, with the id it was resolved to and the options it was loaded with. */
public record LoadedUnet(ModelId id, UNet2dConditionModel unet, ModelOptions options) {
}
