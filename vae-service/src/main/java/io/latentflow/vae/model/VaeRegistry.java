package io.latentflow.vae.model;

import io.latentflow.core.vae.AutoencoderKl;
import io.latentflow.vae.config.VaeConfig;
import io.latentflow.service.model.ModelRegistry;
import io.latentflow.service.storage.ModelStore;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Set;

/** Loads VAEs on demand, one per (name, version), keeps them for the life of the service and reports them. */
@Singleton
public class VaeRegistry extends ModelRegistry<AutoencoderKl> {

    /** The parts of a pipeline folder this service loads. */
    public static final Set<String> COMPONENTS = Set.of("vae");

    @Inject
    public VaeRegistry(VaeConfig config, MeterRegistry meters) {
        super("VAE", new ModelStore(config.models(), config.store(), COMPONENTS), config.models(), meters,
                (folder, options) -> AutoencoderKl.load(folder.component("vae"), options));
    }
}
