package io.latentflow.textencoder.config;

import io.latentflow.service.config.ModelsConfig;
import io.latentflow.service.config.StoreConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Typed configuration of the text encoder service, keys under {@code text-encoder.} (documented in application.properties). */
@ConfigMapping(prefix = "text-encoder")
public interface TextEncoderConfig {

    /** Where models come from and how they are loaded. */
    ModelsConfig models();

    /** Object store that holds {@code models/<name>/<version>/} for models missing locally. */
    StoreConfig store();

    /** Most prompts accepted in one Encode call. */
    @WithDefault("64")
    int maxPrompts();
}
