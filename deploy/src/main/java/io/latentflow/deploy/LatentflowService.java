package io.latentflow.deploy;

/**
 * The four Quarkus applications of LatentFlow: their Maven module, default HTTP+gRPC port, port variable and
 * configuration prefix.
 */
public enum LatentflowService {
    TEXT_ENCODER("text-encoder-service", 8081, "LATENTFLOW_TEXT_ENCODER_PORT", "text-encoder"),
    DENOISER("denoiser-service", 8082, "LATENTFLOW_DENOISER_PORT", "denoiser"),
    VAE("vae-service", 8083, "LATENTFLOW_VAE_PORT", "vae"),
    ORCHESTRATOR("orchestrator", 8080, "LATENTFLOW_ORCHESTRATOR_PORT", "orchestrator");

    private final String module;
    private final int defaultPort;
    private final String portVariable;
    private final String configPrefix;

    LatentflowService(String module, int defaultPort, String portVariable, String configPrefix) {
        this.module = module;
        this.defaultPort = defaultPort;
        this.portVariable = portVariable;
        this.configPrefix = configPrefix;
    }

    /** Prefix of the service's own configuration keys in its application.properties. */
    public String configPrefix() {
        return configPrefix;
    }

    /** Maven module directory, also the process name (log file, pid file). */
    public String module() {
        return module;
    }

    public int defaultPort() {
        return defaultPort;
    }

    /** Environment variable that moves the port. */
    public String portVariable() {
        return portVariable;
    }
}
