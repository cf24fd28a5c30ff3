package io.latentflow.e2e;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.latentflow.deploy.BackgroundProcess;
import io.latentflow.deploy.Endpoints;
import io.latentflow.deploy.GrpcTls;
import io.latentflow.deploy.LatentflowService;
import io.latentflow.deploy.LocalApiKeys;
import io.latentflow.deploy.LocalStack;
import io.latentflow.deploy.PortCheck;
import io.latentflow.deploy.PrometheusText;
import io.latentflow.deploy.RepositoryLayout;
import io.latentflow.deploy.ServiceInstance;
import io.latentflow.deploy.ServiceLauncher;
import io.latentflow.deploy.ServicesConfig;
import io.latentflow.deploy.StackConfig;
import io.minio.GetObjectArgs;
import io.smallrye.certs.CertificateGenerator;
import io.smallrye.certs.CertificateRequest;
import io.smallrye.certs.Format;
import io.smallrye.certs.PemCertificateFiles;
import io.minio.GetObjectResponse;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.errors.ErrorResponseException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The whole system as processes on 127.0.0.1, on free random ports: a Kafka broker and an S3 server (the deploy
 * module's local stack), the text encoder, denoiser, VAE and orchestrator from their quarkus-run.jar, all exporting
 * traces to an in-test OTLP receiver; plus the clients the tests use. {@link #close()} stops every process.
 */
final class RunningSystem implements AutoCloseable {

    static final String HOST = "127.0.0.1";
    /** A second client of the public API, beside the local one. */
    static final String OTHER_CLIENT = "other";
    static final Duration START_TIMEOUT = Duration.ofMinutes(4);
    /** The longest HTTP call, an event stream of a job or a run followed to its end included. */
    static final Duration HTTP_TIMEOUT = Duration.ofMinutes(8);

    final OtlpTraceReceiver traces;
    final LocalStack stack;
    final ServiceLauncher services;
    final Endpoints endpoints;
    private final List<AutoCloseable> clients = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    MinioClient s3;
    KafkaProducer<String, String> producer;
    KafkaProducer<String, byte[]> bytesProducer;
    TopicWatcher events;
    TopicWatcher deadLetters;
    TopicWatcher trainingEvents;
    TopicWatcher trainingDeadLetters;

    private RunningSystem(OtlpTraceReceiver traces, LocalStack stack, ServiceLauncher services) {
        this.traces = traces;
        this.stack = stack;
        this.services = services;
        this.endpoints = stack.config().endpoints();
    }

    /** The API key of the local client that ./latentflow services up writes. */
    String apiKey() {
        return LocalApiKeys.key(services.config().home());
    }

    /** The key of a second API client, {@value #OTHER_CLIENT}, added to the keys file before the orchestrators start. */
    String otherApiKey() {
        return LocalApiKeys.key(services.config().home(), OTHER_CLIENT);
    }

    private static void addOtherClient(Path home) throws IOException {
        Path keys = LocalApiKeys.file(home);
        if (Files.readAllLines(keys).stream().noneMatch(line -> line.startsWith(OTHER_CLIENT + " "))) {
            Files.writeString(keys, OTHER_CLIENT + " " + UUID.randomUUID() + " 4\n", StandardOpenOption.APPEND);
        }
    }

    /** A channel to the orchestrator's public gRPC API carrying the local client's key. */

    ManagedChannel orchestratorChannel() {
        return orchestratorChannel(apiKey());
    }

    /** A channel to the public gRPC API of one orchestrator replica carrying the local client's key. */
    ManagedChannel orchestratorChannel(int replica) {
        return orchestratorChannel(apiKey(), replica);
    }

    /** A channel to the orchestrator's public gRPC API carrying {@code apiKey} (null: none). */
    ManagedChannel orchestratorChannel(String apiKey) {
        return orchestratorChannel(apiKey, 0);
    }

    private ManagedChannel orchestratorChannel(String apiKey, int replica) {
        int port = services.config().port(new ServiceInstance(LatentflowService.ORCHESTRATOR, replica));
        ManagedChannelBuilder<?> builder = ManagedChannelBuilder.forAddress(HOST, port).usePlaintext();
        if (apiKey != null) {
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + apiKey);
            builder.intercept(MetadataUtils.newAttachHeadersInterceptor(headers));
        }
        return builder.build();
    }

    /** Starts everything with plain-text gRPC between the services and one process of each. */
    static RunningSystem start() throws Exception {
        return start(Optional.empty(), Map.of());
    }

    /**
     * Starts everything with {@code replicas} processes of the denoiser and the orchestrator and TLS between the
     * orchestrators and the model services, under a self-signed certificate made for this run that names 127.0.0.1
     * and the denoiser replicas' Stork service name.
     */
    static RunningSystem startWithTls(Map<LatentflowService, Integer> replicas) throws Exception {
        Path dir = Files.createTempDirectory("latentflow-tls-");
        PemCertificateFiles files = (PemCertificateFiles) new CertificateGenerator(dir, true).generate(
                new CertificateRequest().withName("services").withFormat(Format.PEM).withCN("localhost")
                        .withSubjectAlternativeName("IP:" + HOST).withSubjectAlternativeName("DNS:denoiser")).get(0);
        return start(Optional.of(new GrpcTls(files.certFile(), files.keyFile(), files.trustFile())), replicas);
    }

    /** Starts everything; on failure stops what was started and rethrows. */
    private static RunningSystem start(Optional<GrpcTls> tls, Map<LatentflowService, Integer> replicas)
            throws Exception {
        RepositoryLayout layout = RepositoryLayout.detect();
        Path home = Path.of(System.getProperty("latentflow.e2e.home",
                layout.root().resolve("e2e-tests/target/e2e-home").toString())).toAbsolutePath();
        OtlpTraceReceiver traces = new OtlpTraceReceiver();
        StackConfig stackConfig = new StackConfig(home, layout.stackRuntime(), HOST,
                PortCheck.freePort(HOST), PortCheck.freePort(HOST), PortCheck.freePort(HOST),
                StackConfig.DEFAULT_ACCESS_KEY, StackConfig.DEFAULT_SECRET_KEY, StackConfig.DEFAULT_BUCKET,
                StackConfig.DEFAULT_PARTITIONS);
        LocalStack stack = new LocalStack(stackConfig);
        Map<LatentflowService, Integer> ports = new EnumMap<>(LatentflowService.class);
        for (LatentflowService service : LatentflowService.values()) {
            ports.put(service, PortCheck.freePort(HOST));
        }
        String jvmOptions = String.join(" ",
                "-Xmx768m",
                // the tests' jobs run on the small random model unless they name another
                "-Ddenoiser.models.default-name=tiny-sd",
                "-Dtext-encoder.models.default-name=tiny-sd",
                "-Dvae.models.default-name=tiny-sd",
                "-Dorchestrator.default-model=tiny-sd",
                "-Dquarkus.otel.sdk.disabled=false",
                "-Dquarkus.otel.exporter.otlp.traces.endpoint=" + traces.endpoint(),
                "-Dquarkus.otel.exporter.otlp.traces.protocol=http/protobuf",
                "-Dquarkus.otel.bsp.schedule.delay=200ms");
        ServicesConfig servicesConfig = new ServicesConfig(layout, home, ports, stackConfig.endpoints(),
                layout.models(), Optional.of(traces.endpoint()), jvmOptions, tls, replicas);
        ServiceLauncher services = new ServiceLauncher(servicesConfig);
        RunningSystem system = new RunningSystem(traces, stack, services);
        try {
            services.down();
            stack.down();
            deleteTree(stackConfig.stackDir());
            addOtherClient(home);
            stack.up(START_TIMEOUT);
            services.up(START_TIMEOUT);
            system.connectClients();
        } catch (Exception | Error e) {
            system.close();
            throw e;
        }
        return system;
    }

    private void connectClients() {
        s3 = MinioClient.builder()
                .endpoint(endpoints.s3Endpoint())
                .credentials(endpoints.accessKey(), endpoints.secretKey())
                .build();
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers());
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer());
        clients.add(producer);
        bytesProducer = new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
        clients.add(bytesProducer);
        events = new TopicWatcher(endpoints.kafkaBootstrapServers(), "latentflow.generation.events");
        clients.add(events);
        deadLetters = new TopicWatcher(endpoints.kafkaBootstrapServers(), "latentflow.generation.requests.dlq");
        clients.add(deadLetters);
        trainingEvents = new TopicWatcher(endpoints.kafkaBootstrapServers(), "latentflow.training.events");
        clients.add(trainingEvents);
        trainingDeadLetters = new TopicWatcher(endpoints.kafkaBootstrapServers(), "latentflow.training.requests.dlq");
        clients.add(trainingDeadLetters);
    }

    int port(LatentflowService service) {
        return services.config().port(service);
    }

    /** The orchestrator's HTTP address (its web page, REST API and OpenAPI document). */
    String orchestratorUrl() {
        return "http://" + HOST + ":" + port(LatentflowService.ORCHESTRATOR);
    }

    /**
     * An HTTP call to the orchestrator with a JSON body (null: none), carrying the local client's key or none; the
     * answer once complete (a Server-Sent Events stream: once it has ended).
     */
    HttpResponse<String> http(String method, String path, String body, boolean withKey) throws Exception {
        return http(method, path, body, withKey ? apiKey() : null);
    }

    /** {@link #http} with the API key {@code key} (null: none). */
    HttpResponse<String> http(String method, String path, String body, String key) throws Exception {
        return HttpClient.newHttpClient().send(httpRequest(method, path, body, key),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The request {@link #http} sends, for calls made asynchronously. */
    HttpRequest httpRequest(String method, String path, String body, boolean withKey) {
        return httpRequest(method, path, body, withKey ? apiKey() : null);
    }

    private HttpRequest httpRequest(String method, String path, String body, String key) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(orchestratorUrl() + path))
                .timeout(HTTP_TIMEOUT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return request.build();
    }

    /** Writes a request record (key = job id) and waits until Kafka has it. */
    void send(String key, String value) throws Exception {
        producer.send(new ProducerRecord<>("latentflow.generation.requests", key, value)).get();
    }

    /** Writes a request record of arbitrary bytes and waits until Kafka has it. */
    void sendBytes(String key, byte[] value) throws Exception {
        bytesProducer.send(new ProducerRecord<>("latentflow.generation.requests", key, value)).get();
    }

    /** Writes a training request record (key = run id) and waits until Kafka has it. */
    void sendTraining(String key, String value) throws Exception {
        producer.send(new ProducerRecord<>("latentflow.training.requests", key, value)).get();
    }

    /** Kills a service at once (SIGKILL, as kill -9) and starts it again; returns when it is ready. */
    void killAndRestart(LatentflowService service) throws Exception {
        kill(service);
        restart(service);
    }

    /** Kills a service at once (SIGKILL, as kill -9); returns when it has exited. */
    void kill(LatentflowService service) {
        kill(services.process(service));
    }

    /** The sum of a metric's samples (over its labels) in a Prometheus text exposition, 0 when it has none. */
    static double metric(String exposition, String name) {
        return PrometheusText.sum(exposition, name, "");
    }

    /** Kills one process of the services at once (SIGKILL); returns when it has exited. */
    void kill(ServiceInstance instance) {
        kill(services.process(instance));
    }

    /** Kills the Kafka broker at once (SIGKILL) and starts it again on its data; returns when it answers. */
    void killAndRestartBroker() throws Exception {
        kill(stack.kafka().process());
        stack.kafka().start();
        stack.kafka().awaitReady(START_TIMEOUT);
    }

    /** Kills the S3 server at once (SIGKILL) and starts it again on its data; returns when it answers. */
    void killAndRestartS3() throws Exception {
        kill(stack.s3().process());
        stack.s3().start();
        stack.s3().awaitReady(START_TIMEOUT);
    }

    private static void kill(BackgroundProcess process) {
        process.running().ifPresent(ProcessHandle::destroyForcibly);
        Poll.until(process.name() + " to exit", Duration.ofSeconds(30),
                () -> process.running().isPresent() ? Optional.empty() : Optional.of(true));
    }

    /** Starts a stopped service again; returns when it is ready. */
    void restart(LatentflowService service) throws Exception {
        services.start(service);
        services.awaitReady(service, START_TIMEOUT);
    }

    /** Stores an object in the bucket. */
    void put(String key, byte[] data, String contentType) throws Exception {
        s3.putObject(PutObjectArgs.builder().bucket(endpoints.bucket()).object(key)
                .stream(new ByteArrayInputStream(data), data.length, -1).contentType(contentType).build());
    }

    /** The object's bytes, or empty when it does not exist. */
    Optional<byte[]> object(String key) throws Exception {
        try (GetObjectResponse response = s3.getObject(
                GetObjectArgs.builder().bucket(endpoints.bucket()).object(key).build())) {
            return Optional.of(response.readAllBytes());
        } catch (ErrorResponseException e) {
            if ("NoSuchKey".equals(e.errorResponse().code())) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The last lines of a service's log, for failure messages. */
    String logTail(LatentflowService service) {
        return services.process(service).logTail(60);
    }

    /** Stops every process and client; later calls do nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (AutoCloseable client : clients) {
            try {
                client.close();
            } catch (Exception e) {
                System.err.println("closing " + client + ": " + e);
            }
        }
        try {
            services.down();
        } catch (Exception e) {
            System.err.println("stopping the services: " + e);
        }
        try {
            stack.down();
        } catch (Exception e) {
            System.err.println("stopping the stack: " + e);
        }
        traces.close();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
