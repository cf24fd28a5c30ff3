package io.latentflow.deploy;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Settings for running the four services locally: ports, the Kafka and S3 endpoints they use, the model root,
 * an optional OTLP endpoint for traces, and extra JVM options.
 *
 * @param layout       the repository (service jars under each module's target/quarkus-app)
 * @param home         state directory: logs under logs/, pid files under run/, model caches under cache/
 * @param ports        HTTP+gRPC port of each service
 * @param endpoints    Kafka bootstrap servers, S3 endpoint, credentials and bucket
 * @param modelsRoot   directory of models/<name>/<version>/
 * @param otlpEndpoint OTLP endpoint for traces, empty: no tracing
 * @param jvmOptions   extra JVM options for every service (LATENTFLOW_SERVICE_JVM_OPTS)
 * @param tls          TLS between the orchestrator and the model services, empty: plain text on the loopback
 * @param replicas     processes of the denoiser and of the orchestrator (missing: 1); replica i of a service runs on
 *                     its port + 10 i
 */
public record ServicesConfig(
        RepositoryLayout layout,
        Path home,
        Map<LatentflowService, Integer> ports,
        Endpoints endpoints,
        Path modelsRoot,
        Optional<String> otlpEndpoint,
        String jvmOptions,
        Optional<GrpcTls> tls,
        Map<LatentflowService, Integer> replicas) {

    /** Port distance between denoiser replicas (8082, 8092, 8102, ...: clear of the other services' defaults). */
    public static final int REPLICA_PORT_STEP = 10;

    public ServicesConfig {
        replicas.forEach((service, count) -> {
            if (count < 1) {
                throw new IllegalArgumentException(service.configPrefix() + " replicas: at least 1 is needed, got " + count);
            }
            if (count > 1 && service != LatentflowService.DENOISER && service != LatentflowService.ORCHESTRATOR) {
                throw new IllegalArgumentException(service.configPrefix() + " replicas: only the denoiser and the "
                    + "orchestrator run as several processes, got " + count);
            }
        });
        replicas = Map.copyOf(replicas);
        home = home.toAbsolutePath().normalize();
        modelsRoot = modelsRoot.toAbsolutePath().normalize();
        EnumMap<LatentflowService, Integer> complete = new EnumMap<>(LatentflowService.class);
        for (LatentflowService service : LatentflowService.values()) {
            complete.put(service, ports.getOrDefault(service, service.defaultPort()));
        }
        ports = Map.copyOf(complete);
    }

    /**
     * Defaults for the repository: ports from LATENTFLOW_*_PORT, models from LATENTFLOW_MODELS_ROOT (else
     * models/), OTLP from LATENTFLOW_OTLP_ENDPOINT, TLS from LATENTFLOW_GRPC_TLS_*, and the given endpoints.
     */
    public static ServicesConfig fromEnvironment(RepositoryLayout layout, Endpoints endpoints) {
        Map<String, String> env = System.getenv();
        EnumMap<LatentflowService, Integer> ports = new EnumMap<>(LatentflowService.class);
        for (LatentflowService service : LatentflowService.values()) {
            String value = env.get(service.portVariable());
            ports.put(service, value == null || value.isBlank() ? service.defaultPort() : Integer.parseInt(value.trim()));
        }
        String models = env.get("LATENTFLOW_MODELS_ROOT");
        String otlp = env.get("LATENTFLOW_OTLP_ENDPOINT");
        return new ServicesConfig(layout, layout.home(), ports, endpoints,
            models == null || models.isBlank() ? layout.models() : Path.of(models),
            otlp == null || otlp.isBlank() ? Optional.empty() : Optional.of(otlp.trim()),
            env.getOrDefault("LATENTFLOW_SERVICE_JVM_OPTS", ""), GrpcTls.fromEnvironment(env), Map.of());
    }

    public int port(LatentflowService service) {
        return ports.get(service);
    }

    /** The same settings with other ports (missing entries keep their defaults). */
    public ServicesConfig withPorts(Map<LatentflowService, Integer> newPorts) {
        return new ServicesConfig(layout, home, newPorts, endpoints, modelsRoot, otlpEndpoint, jvmOptions, tls,
            replicas);
    }

    /** The same settings with an OTLP endpoint. */
    public ServicesConfig withOtlpEndpoint(Optional<String> endpoint) {
        return new ServicesConfig(layout, home, ports, endpoints, modelsRoot, endpoint, jvmOptions, tls, replicas);
    }

    /** The same settings with {@code count} processes of {@code service}. */
    public ServicesConfig withReplicas(LatentflowService service, int count) {
        Map<LatentflowService, Integer> changed = new EnumMap<>(LatentflowService.class);
        changed.putAll(replicas);
        changed.put(service, count);
        return new ServicesConfig(layout, home, ports, endpoints, modelsRoot, otlpEndpoint, jvmOptions, tls, changed);
    }

    /** How many processes of {@code service} run. */
    public int replicas(LatentflowService service) {
        return replicas.getOrDefault(service, 1);
    }

    /** The port of one process of the services. */
    public int port(ServiceInstance instance) {
        return port(instance.service()) + REPLICA_PORT_STEP * instance.replica();
    }

    public Path logDir() {
        return home.resolve("logs");
    }

    public Path runDir() {
        return home.resolve("run");
    }
}
