package io.latentflow.denoiser.config;

import io.latentflow.service.config.ModelsConfig;
import io.latentflow.service.config.StoreConfig;
import io.latentflow.service.config.TrainingConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Typed configuration of the denoiser service, keys under {@code denoiser.} (documented in application.properties). */
@ConfigMapping(prefix = "denoiser")
public interface DenoiserConfig {

    /** Where models come from and how they are loaded. */
    ModelsConfig models();

    /** Object store that holds {@code models/<name>/<version>/} for models missing locally. */
    StoreConfig store();

    /** Where unet and refiner training runs keep their local files. */
    TrainingConfig training();

    /** Conditioning tensors kept by content key between calls. */
    ConditioningCache conditioningCache();

    /** How concurrent calls are merged into one UNet forward pass. */
    Batching batching();

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

        /**
         * Longest wait of a batch for the calls of the jobs in the previous pass; 0: only calls already queued join.
         */
        @WithDefault("20ms")
        Duration window();

        /**
         * Share of the previous pass's time a batch may wait instead, when that is longer than the window: waiting
         * for a job in step costs less than the pass of its own it would need otherwise.
         */
        @WithDefault("0.5")
        double windowShare();
    }
}
