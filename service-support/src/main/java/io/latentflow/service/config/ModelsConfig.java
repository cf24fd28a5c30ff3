package io.latentflow.service.config;

import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Where a model service's models come from and how they are loaded: the {@code <prefix>.models.*} keys. */
public interface ModelsConfig {

    /** Directory holding {@code <name>/<version>/} diffusers folders, absolute or relative to the working directory. */
    @WithDefault("../models")
    Path root();

    /** Model served when a request names none. */
    @WithDefault("shapes")
    String defaultName();

    /** Version served when a request names none; absent: the highest version present. */
    Optional<String> defaultVersion();

    /** cpu, gpu or auto (gpu when one is visible). */
    @WithDefault("cpu")
    String device();

    /** float32 or float16. */
    @WithDefault("float32")
    String dtype();

    /** Local copies of models fetched from the object store. */
    @WithDefault("../.latentflow/cache/models")
    Path cacheDir();

    /** Load the default model at start-up instead of on the first request. */
    @WithDefault("true")
    boolean preload();

    /**
     * How long "the highest version of a model" and a version's published revision stay resolved before the store is
     * asked again.
     */
    @WithDefault("30s")
    Duration versionRefresh();
}
