package io.latentflow.denoiser.model;

import io.latentflow.core.unet.UNet2dConditionModel;
import io.latentflow.denoiser.config.DenoiserConfig;
import io.latentflow.service.model.ModelRegistry;
import io.latentflow.service.storage.ModelId;
import io.latentflow.service.storage.ModelStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
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

    void preload(@Observes StartupEvent event) {
        preloadDefault();
    }

    void close(@Observes ShutdownEvent event) {
        closeAll();
    }

    /** The UNet for a request's model reference (blank parts: defaults), loading it on first use. */
    public LoadedUnet get(String name, String version) {
        ModelId id = resolve(name, version);
        return new LoadedUnet(id, load(id), options());
    }
}
