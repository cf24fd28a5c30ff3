package io.latentflow.vae.config;

import io.latentflow.service.config.ModelsConfig;
import io.latentflow.service.config.StoreConfig;
import io.latentflow.service.config.TrainingConfig;
import io.smallrye.config.ConfigMapping;

/** Typed configuration of the VAE service, keys under {@code vae.} (documented in application.properties). */
@ConfigMapping(prefix = "vae")
public interface VaeConfig {

    /** Where models come from and how they are loaded. */
    ModelsConfig models();

    /** Object store that holds {@code models/<name>/<version>/} for models missing locally. */
    StoreConfig store();

    /** Where vae training runs keep their local files. */
    TrainingConfig training();
}
