package io.latentflow.deploy;

import io.latentflow.proto.tls.GrpcTlsSwitch;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * Runs the text encoder, denoiser, VAE and orchestrator as separate processes from their Quarkus builds
 * (module/target/quarkus-app/quarkus-run.jar), configured through -D system properties (and the matching
 * LATENTFLOW_* environment variables), and waits for each one's /q/health/ready to report UP.
 */
public final class ServiceLauncher {

    /** How long a service gets to exit after SIGTERM before it is killed. */
    public static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private static final String HOST = "127.0.0.1";

    /** libtorch's intra-op threads of a process (DJL's setting). */
    static final String THREADS = "ai.djl.pytorch.num_threads";

    /** What a Quarkus application logs when its start-up fails (the JVM may linger afterwards). */
    static final String STARTUP_FAILURE = "Failed to start application";

    private final ServicesConfig config;
    private final Map<ServiceInstance, Long> startOffsets = new ConcurrentHashMap<>();
    private final HttpClient http;

    public ServiceLauncher(ServicesConfig config) {
        this.config = config;
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
        config.tls().ifPresent(tls -> client.sslContext(tls.clientContext()));
        this.http = client.build();
    }

    public ServicesConfig config() {
        return config;
    }

    /** The process record of one service (its first process). */
    public BackgroundProcess process(LatentflowService service) {
        return process(ServiceInstance.of(service));
    }

    /** The process record of one process of the services. */
    public BackgroundProcess process(ServiceInstance instance) {
        return new BackgroundProcess(instance.name(), config.runDir(), config.logDir());
    }

    /**
     * Every process the services run as, in start order: the text encoder, each denoiser replica, the VAE and the
     * orchestrators last (they wait for the others).
     */
    public List<ServiceInstance> instances() {
        return instances(false);
    }

    /**
     * {@link #instances()} and the replicas beyond the configured count that still have a pid file (started by an
     * earlier {@code up} with more), so that status and down see them.
     */
    private List<ServiceInstance> instances(boolean withLeftovers) {
        List<ServiceInstance> instances = new ArrayList<>();
        for (LatentflowService service : LatentflowService.values()) {
            for (int replica = 0; replica < config.replicas(service) || withLeftovers
                    && Files.isRegularFile(process(new ServiceInstance(service, replica)).pidFile()); replica++) {
                instances.add(new ServiceInstance(service, replica));
            }
        }
        return instances;
    }

    /**
     * Starts every service that is not running, then waits until all report ready. When one fails, the services
     * started by this call are stopped again and the failure names the log to read.
     */
    public void up(Duration timeout) throws Exception {
        List<ServiceInstance> started = new ArrayList<>();
        try {
            for (ServiceInstance instance : instances()) {
                if (start(instance)) {
                    started.add(instance);
                }
            }
            for (ServiceInstance instance : instances()) {
                awaitReady(instance, timeout);
            }
        } catch (Exception | Error e) {
            for (ServiceInstance instance : started) {
                process(instance).stop(STOP_GRACE);
            }
            throw e;
        }
    }

    /** Starts one service unless it runs already; returns whether it was started now. */
    public boolean start(LatentflowService service) throws IOException {
        return start(ServiceInstance.of(service));
    }

    /** Starts one process of the services unless it runs already; returns whether it was started now. */
    public boolean start(ServiceInstance instance) throws IOException {
        LatentflowService service = instance.service();
        BackgroundProcess process = process(instance);
        if (process.running().isPresent()) {
            return false;
        }
        Path jar = config.layout().quarkusRunJar(service.module());
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(service.module() + " is not built (" + jar
                + " is missing); build it with: mvn -B -q install -DskipTests");
        }
        PortCheck.requireFree(HOST, config.port(instance), instance.name(), service.portVariable());
        List<String> jvmOptions = jvmOptions();
        systemProperties(instance).forEach((key, value) -> jvmOptions.add("-D" + key + "=" + value));
        startOffsets.put(instance, process.logSize());
        process.startJava(jvmOptions, List.of("-jar", jar.toString()), config.layout().root().resolve(service.module()),
            environment());
        return true;
    }

    /**
     * Waits until the service's /q/health/ready answers UP; fails early, with the end of its log, when the process
     * dies or its log reports that the application failed to start.
     */
    public void awaitReady(LatentflowService service, Duration timeout) throws InterruptedException, TimeoutException {
        awaitReady(ServiceInstance.of(service), timeout);
    }

    /** {@link #awaitReady(LatentflowService, Duration)} for one process of the services. */
    public void awaitReady(ServiceInstance instance, Duration timeout) throws InterruptedException, TimeoutException {
        BackgroundProcess process = process(instance);
        long logOffset = startOffsets.getOrDefault(instance, process.logSize());
        try {
            Await.until(instance.name() + " at " + readyUri(instance), timeout, Duration.ofMillis(500),
                () -> ready(instance),
                () -> process.running().isEmpty() || process.logContains(STARTUP_FAILURE, logOffset));
        } catch (IllegalStateException | TimeoutException e) {
            throw new IllegalStateException(e.getMessage() + "; last lines of " + process.logFile() + ":\n"
                + process.logTail(40), e);
        }
    }

    /** Whether the service's readiness check answers UP now. */
    public boolean ready(LatentflowService service) {
        return ready(ServiceInstance.of(service));
    }

    /** Whether one process's readiness check answers UP now. */
    public boolean ready(ServiceInstance instance) {
        try {
            HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(readyUri(instance)).timeout(Duration.ofSeconds(3)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().contains("\"UP\"");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The Prometheus metrics one process serves at /q/metrics (over HTTPS when it serves TLS). */
    public String metrics(ServiceInstance instance) throws IOException, InterruptedException {
        String scheme = servesTls(instance.service()) ? "https" : "http";
        URI uri = URI.create(scheme + "://" + HOST + ":" + config.port(instance) + "/q/metrics");
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(uri + " answered " + response.statusCode());
        }
        return response.body();
    }

    /** The state of every service. */
    public List<ComponentStatus> status() {
        List<ComponentStatus> statuses = new ArrayList<>();
        for (ServiceInstance instance : instances(true)) {
            BackgroundProcess process = process(instance);
            OptionalLong pid = process.running().map(handle -> OptionalLong.of(handle.pid())).orElse(OptionalLong.empty());
            statuses.add(new ComponentStatus(instance.name(), pid, pid.isPresent() && ready(instance),
                HOST + ":" + config.port(instance), process.logFile()));
        }
        return statuses;
    }

    /**
     * Stops every service (SIGTERM to all at once, SIGKILL after {@link #STOP_GRACE}); returns the names of those
     * that were running, orchestrator first.
     */
    public List<String> down() throws InterruptedException {
        List<BackgroundProcess> processes = new ArrayList<>();
        List<ServiceInstance> instances = instances(true);
        for (int i = instances.size() - 1; i >= 0; i--) {
            processes.add(process(instances.get(i)));
        }
        return BackgroundProcess.stopAll(processes, STOP_GRACE);
    }

    private URI readyUri(ServiceInstance instance) {
        String scheme = servesTls(instance.service()) ? "https" : "http";
        return URI.create(scheme + "://" + HOST + ":" + config.port(instance) + "/q/health/ready");
    }

    /** Whether the service serves over TLS only: the model services do when TLS is configured. */
    public boolean servesTls(LatentflowService service) {
        return config.tls().isPresent() && service != LatentflowService.ORCHESTRATOR;
    }

    /** The configuration each service reads, by the keys its application.properties defines. */
    Map<String, String> systemProperties(LatentflowService service) {
        return systemProperties(ServiceInstance.of(service));
    }

    /** {@link #systemProperties(LatentflowService)} of one process of the services. */
    Map<String, String> systemProperties(ServiceInstance instance) {
        LatentflowService service = instance.service();
        Endpoints endpoints = config.endpoints();
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("quarkus.http.host", HOST);
        properties.put("quarkus.http.port", Integer.toString(config.port(instance)));
        properties.put("kafka.bootstrap.servers", endpoints.kafkaBootstrapServers());
        properties.put("latentflow.models.root", config.modelsRoot().toString());
        // every process its own cache: replicas must not download into one folder at once
        String cache = config.home().resolve("cache").resolve(instance.name()).toString();
        properties.put("latentflow.models.cache-dir", cache);
        properties.put("latentflow.s3.endpoint", endpoints.s3Endpoint());
        properties.put("latentflow.s3.bucket", endpoints.bucket());
        properties.put("latentflow.s3.access-key", endpoints.accessKey());
        properties.put("latentflow.s3.secret-key", endpoints.secretKey());
        // turns tracing on in every service: each exports over OTLP http/protobuf to this endpoint
        config.otlpEndpoint().ifPresent(endpoint -> properties.put("latentflow.otlp.endpoint", endpoint));
        // the model services serve TLS only and the orchestrator's clients trust the CA; the orchestrator's own API
        // stays as it is (blank values override the LATENTFLOW_GRPC_TLS_* variables the process would inherit)
        boolean serves = servesTls(service);
        Optional<GrpcTls> tls = config.tls();
        properties.put(GrpcTlsSwitch.CERT, serves ? tls.get().cert().toString() : "");
        properties.put(GrpcTlsSwitch.KEY, serves ? tls.get().key().toString() : "");
        properties.put(GrpcTlsSwitch.CA, service == LatentflowService.ORCHESTRATOR
            ? tls.map(t -> t.ca().toString()).orElse("") : "");
        if (!config.jvmOptions().contains("-D" + THREADS + "=")) {
            int cores = Runtime.getRuntime().availableProcessors();
            properties.put(THREADS, Integer.toString(intraOpThreads(service, cores)));
        }
        String prefix = service.configPrefix();
        if (service == LatentflowService.ORCHESTRATOR) {
            properties.put(prefix + ".models-root", config.modelsRoot().toString());
            properties.put(prefix + ".storage.endpoint", endpoints.s3Endpoint());
            properties.put(prefix + ".storage.bucket", endpoints.bucket());
            properties.put(prefix + ".storage.access-key", endpoints.accessKey());
            properties.put(prefix + ".storage.secret-key", endpoints.secretKey());
            properties.put(prefix + ".api.keys-file", LocalApiKeys.file(config.home()).toString());
            clientOf(properties, "textencoder", LatentflowService.TEXT_ENCODER);
            clientOf(properties, "denoiser", LatentflowService.DENOISER);
            clientOf(properties, "vae", LatentflowService.VAE);
            if (config.replicas(LatentflowService.DENOISER) > 1) {
                denoiserReplicas(properties);
            }
        } else {
            properties.put(prefix + ".models.root", config.modelsRoot().toString());
            properties.put(prefix + ".models.cache-dir", cache);
            properties.put(prefix + ".store.endpoint", endpoints.s3Endpoint());
            properties.put(prefix + ".store.bucket", endpoints.bucket());
            properties.put(prefix + ".store.access-key", endpoints.accessKey());
            properties.put(prefix + ".store.secret-key", endpoints.secretKey());
        }
        return properties;
    }

    /**
     * The JVM options of every service process, then those of LATENTFLOW_SERVICE_JVM_OPTS, which come later and win.
     * The services' own Java code is glue around native tensor work, and C2's compiler threads, still busy after
     * minutes of load in each of the JVMs sharing the machine, took cores from the UNet: with C1 alone
     * ({@code -XX:TieredStopAtLevel=1}) 2.07-2.27 instead of 1.79-1.84 images/s at 8 jobs in flight on 2 cores.
     */
    List<String> jvmOptions() {
        List<String> options = new ArrayList<>(List.of("-Xmx1g", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Dai.djl.offline=true", "-Djava.util.logging.manager=org.jboss.logmanager.LogManager"));
        for (String option : config.jvmOptions().trim().split("\\s+")) {
            if (!option.isEmpty()) {
                options.add(option);
            }
        }
        return options;
    }

    /**
     * libtorch's intra-op threads for one process of {@code service} on a machine of {@code cores} that it shares with
     * the other services, the broker and the object store. Each parallel op waits for its slowest thread, so a thread
     * team that has to take turns with other busy processes for cores loses more than it gains: the denoiser
     * replicas split the cores but one (left to the orchestrator, Kafka and S3); the text encoder and the VAE, busy
     * at a job's ends, take as many; the orchestrator's sampler steps on latents need one. Measured on 2 cores (one
     * thread each against libtorch's two): a UNet pass of the shipped model in 25 ms instead of 42, 2.0 instead of
     * 1.5 images/s at 16 jobs in flight. A job's image does not depend on it.
     */
    int intraOpThreads(LatentflowService service, int cores) {
        return switch (service) {
            case ORCHESTRATOR -> 1;
            case DENOISER -> Math.max(1, (cores - 1) / config.replicas(LatentflowService.DENOISER));
            default -> Math.max(1, cores - 1);
        };
    }

    /**
     * Several denoisers: the orchestrator's client finds them by a static SmallRye Stork list and sends each call to
     * the less busy of two connected replicas drawn at random (power of two choices); a dead replica is skipped until
     * it answers again.
     */
    private void denoiserReplicas(Map<String, String> properties) {
        List<String> addresses = new ArrayList<>();
        for (ServiceInstance instance : instances()) {
            if (instance.service() == LatentflowService.DENOISER) {
                addresses.add(HOST + ":" + config.port(instance));
            }
        }
        properties.put("quarkus.grpc.clients.denoiser.name-resolver", "stork");
        properties.put("quarkus.grpc.clients.denoiser.host", "denoiser");
        properties.put("quarkus.stork.denoiser.service-discovery.type", "static");
        properties.put("quarkus.stork.denoiser.service-discovery.address-list", String.join(",", addresses));
        properties.put("quarkus.stork.denoiser.load-balancer.type", "power-of-two-choices");
    }

    private void clientOf(Map<String, String> properties, String client, LatentflowService target) {
        properties.put("quarkus.grpc.clients." + client + ".host", HOST);
        properties.put("quarkus.grpc.clients." + client + ".port", Integer.toString(config.port(target)));
    }

    /** The same settings as LATENTFLOW_* environment variables, for keys that read them. */
    Map<String, String> environment() {
        Endpoints endpoints = config.endpoints();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("LATENTFLOW_KAFKA", endpoints.kafkaBootstrapServers());
        env.put("LATENTFLOW_S3_ENDPOINT", endpoints.s3Endpoint());
        env.put("LATENTFLOW_S3_BUCKET", endpoints.bucket());
        env.put("LATENTFLOW_S3_ACCESS_KEY", endpoints.accessKey());
        env.put("LATENTFLOW_S3_SECRET_KEY", endpoints.secretKey());
        env.put("LATENTFLOW_MODELS_ROOT", config.modelsRoot().toString());
        for (LatentflowService service : LatentflowService.values()) {
            env.put(service.portVariable(), Integer.toString(config.port(service)));
        }
        config.otlpEndpoint().ifPresent(endpoint -> env.put("LATENTFLOW_OTLP_ENDPOINT", endpoint));
        return env;
    }
}
