package io.latentflow.denoiser.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Typed configuration of the denoiser service, keys under {@code denoiser.} (documented in application.properties). */
@ConfigMapping(prefix = "denoiser")
public interface DenoiserConfig {

    /** Where models come from and how they are loaded. */
    Models models();

    /** Object store that holds {@code models/<name>/<version>/} for models missing locally. */
    Store store();

    /** Conditioning tensors kept by content key between calls. */
    ConditioningCache conditioningCache();

    /** How concurrent calls are merged into one UNet forward pass. */
    Batching batching();

    /** Where models come from and how they are loaded. */
    interface Models {
        /** Directory holding {@code <name>/<version>/} diffusers folders, absolute or relative to the working directory. */
        @WithDefault("../models")
        Path root();

        /** Model served when a request names none. */
        @WithDefault("tiny-sd")
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

        /** How long "the highest version of a model" stays resolved before the store is listed again. */
        @WithDefault("30s")
        Duration versionRefresh();
    }

    /** Object store that holds {@code models/<name>/<version>/} for models missing locally. */
    interface Store {
        /** S3 endpoint URL; absent: models come only from the local root. */
        Optional<String> endpoint();

        @WithDefault("latentflow")
        String bucket();

        Optional<String> accessKey();

        Optional<String> secretKey();

        Optional<String> region();
    }

    /** Conditioning tensors kept by content key between calls. */
    interface ConditioningCache {
        /** Upper bound of the cached tensors' data, least recently used evicted first. */
        @WithDefault("268435456")
        long maxBytes();
    }

    /** How concurrent calls are merged into one UNet forward pass. */
    interface Batching {
        /** Most samples in one forward pass (a guided sample counts once; its UNet batch holds two rows). */
        @WithDefault("8")
        int maxBatchSize();

        /** How long the first call of a batch waits for others; 0: only calls already queued join it. */
        @WithDefault("0s")
        Duration window();
    }
}
