package io.latentflow.deploy;

/** The four Quarkus applications of LatentFlow: their Maven module, default HTTP+gRPC port and port variable. */
public enum LatentflowService {
    TEXT_ENCODER("text-encoder-service", 8081, "LATENTFLOW_TEXT_ENCODER_PORT"),
    DENOISER("denoiser-service", 8082, "LATENTFLOW_DENOISER_PORT"),
    VAE("vae-service", 8083, "LATENTFLOW_VAE_PORT"),
    ORCHESTRATOR("orchestrator", 8080, "LATENTFLOW_ORCHESTRATOR_PORT");

    private final String module;
    private final int defaultPort;
    private final String portVariable;

    LatentflowService(String module, int defaultPort, String portVariable) {
        this.module = module;
        this.defaultPort = defaultPort;
        this.portVariable = portVariable;
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
