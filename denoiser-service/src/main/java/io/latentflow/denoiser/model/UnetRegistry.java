package io.latentflow.denoiser.model;

import io.latentflow.core.unet.UNet2dConditionModel;
import io.latentflow.denoiser.config.DenoiserConfig;
import io.latentflow.service.model.ModelRegistry;
import io.latentflow.service.storage.ModelStore;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Set;

/** Loads UNets on demand, one per (name, version), keeps them for the life of the service and reports them. */
@Singleton
public class UnetRegistry extends ModelRegistry<UNet2dConditionModel> {

    /** The parts of a pipeline folder this service loads. */
    public static final Set<String> COMPONENTS = Set.of("unet");

    @Inject
    public UnetRegistry(DenoiserConfig config, MeterRegistry meters) {
        super("UNet", new ModelStore(config.models(), config.store(), COMPONENTS), config.models(), meters,
                (folder, options) -> UNet2dConditionModel.load(folder.component("unet"), options));
    }
}
