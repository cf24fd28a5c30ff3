package io.latentflow.orchestrator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Typed configuration of the orchestrator, read from keys under {@code orchestrator.}. */
@ConfigMapping(prefix = "orchestrator")
public interface OrchestratorConfig {

    /**
     * Jobs that run at the same time here (their denoiser calls share UNet passes); further jobs wait in Kafka.
     */
    @WithDefault("8")
    int workers();

    /** Write the latents to jobs/&lt;id&gt;/latents/step-&lt;n&gt;.safetensors every this many steps; 0 turns it off. */
    @WithDefault("0")
    int checkpointEverySteps();

    /**
     * Deadline of one call into a service (text encoder, denoiser or VAE), including the time it waits for a service
     * that is down or restarting: the bound after which a job fails rather than waits.
     */
    @WithDefault("PT120S")
    Duration serviceCallTimeout();

    /** Model folders, models/&lt;name&gt;/&lt;version&gt;/, consulted before the object store. */
    @WithDefault("models")
    String modelsRoot();

    /** Model used when a request names none. */
    @WithDefault("shapes")
    String defaultModel();

    /** Request limits. */
    Limits limits();

    /** The public gRPC API. */
    Api api();

    /** Who may call the public gRPC API. */
    interface Api {
        /** File of the API's clients, a line 'NAME KEY [MAX_CONCURRENT_JOBS]' each; required, no default key. */
        String keysFile();
    }

    /** Training runs. */
    Training training();

    /** How training runs are driven. */
    interface Training {
        /** Training runs that proceed at the same time (each service trains one run at a time). */
        @WithDefault("2")
        int workers();

        /** How long a run waits for its training service to come back (after a crash) before it fails. */
        @WithDefault("PT10M")
        Duration serviceRetryTimeout();

        /** Local scratch space of runs (dataset copies, tokenizer). */
        @WithDefault("../.latentflow/orchestrator/training")
        String workDir();
    }

    /** Object storage. */
    Storage storage();

    /** Limits a request must stay within. */
    interface Limits {
        @WithDefault("2000")
        int maxPromptChars();

        @WithDefault("2048")
        int maxWidthPx();

        @WithDefault("2048")
        int maxHeightPx();

        @WithDefault("1000")
        int maxSteps();

        @WithDefault("8")
        int maxImages();

        /** Key prefix of the objects a job may read as init image or mask. */
        @WithDefault("inputs/")
        String inputsPrefix();

        /** Cost bound of one job, width x height x steps x images (default: 1024 x 1024, 150 steps, 8 images). */
        @WithDefault("1258291200")
        long maxPixelSteps();
    }

    /** S3-compatible object store (MinIO or any other). */
    interface Storage {
        @WithDefault("http://127.0.0.1:9000")
        String endpoint();

        /** Required: there is no default credential. */
        String accessKey();

        /** Required: there is no default credential. */
        String secretKey();

        @WithDefault("latentflow")
        String bucket();

        /** How long a call waits for an unreachable server (restarting, network cut) before its job fails. */
        @WithDefault("PT3M")
        Duration outageTimeout();
    }
}
