package io.latentflow.deploy;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * Settings of the local stack: where its state lives, where its runtime files are, the ports of the Kafka broker
 * (client and controller listener) and of the S3 server, and the S3 credentials and bucket.
 *
 * @param home        state directory: stack data under stack/, logs under logs/, pid files under run/
 * @param runtime     directory holding kafka/ (the broker's classpath) and s3proxy.jar
 * @param host        address every server binds to
 * @param kafkaPort   Kafka client listener
 * @param controllerPort Kafka KRaft controller listener
 * @param s3Port      S3 HTTP port
 * @param partitions  partitions of the request and event topics (dead-letter topics get one)
 */
public record StackConfig(
        Path home,
        Path runtime,
        String host,
        int kafkaPort,
        int controllerPort,
        int s3Port,
        String accessKey,
        String secretKey,
        String bucket,
        int partitions) {

    public static final int DEFAULT_KAFKA_PORT = 9092;
    public static final int DEFAULT_CONTROLLER_PORT = 9093;
    public static final int DEFAULT_S3_PORT = 9000;
    public static final String DEFAULT_ACCESS_KEY = "latentflow";
    public static final String DEFAULT_SECRET_KEY = "latentflow-secret";
    public static final String DEFAULT_BUCKET = "latentflow";
    public static final int DEFAULT_PARTITIONS = 3;

    public StackConfig {
        home = home.toAbsolutePath().normalize();
        runtime = runtime.toAbsolutePath().normalize();
        requirePort("kafkaPort", kafkaPort);
        requirePort("controllerPort", controllerPort);
        requirePort("s3Port", s3Port);
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
    }

    /**
     * Defaults for a repository, overridden by environment variables: LATENTFLOW_KAFKA_PORT,
     * LATENTFLOW_KAFKA_CONTROLLER_PORT, LATENTFLOW_S3_PORT, LATENTFLOW_S3_ACCESS_KEY, LATENTFLOW_S3_SECRET_KEY,
     * LATENTFLOW_S3_BUCKET (the home comes from LATENTFLOW_HOME through {@link RepositoryLayout#home()}).
     */
    public static StackConfig fromEnvironment(RepositoryLayout layout) {
        return fromEnvironment(layout, System.getenv());
    }

    static StackConfig fromEnvironment(RepositoryLayout layout, Map<String, String> env) {
        return new StackConfig(
            layout.home(),
            layout.stackRuntime(),
            "127.0.0.1",
            intOf(env, "LATENTFLOW_KAFKA_PORT", DEFAULT_KAFKA_PORT),
            intOf(env, "LATENTFLOW_KAFKA_CONTROLLER_PORT", DEFAULT_CONTROLLER_PORT),
            intOf(env, "LATENTFLOW_S3_PORT", DEFAULT_S3_PORT),
            env.getOrDefault("LATENTFLOW_S3_ACCESS_KEY", DEFAULT_ACCESS_KEY),
            env.getOrDefault("LATENTFLOW_S3_SECRET_KEY", DEFAULT_SECRET_KEY),
            env.getOrDefault("LATENTFLOW_S3_BUCKET", DEFAULT_BUCKET),
            DEFAULT_PARTITIONS);
    }

    /** The same settings with other ports. */
    public StackConfig withPorts(int newKafkaPort, int newControllerPort, int newS3Port) {
        return new StackConfig(home, runtime, host, newKafkaPort, newControllerPort, newS3Port,
            accessKey, secretKey, bucket, partitions);
    }

    /**
     * The same settings with the client and S3 ports of the stack that runs now under this home (as recorded in
     * run/stack.properties by {@link LocalStack#up}); unchanged when none is recorded.
     */
    public StackConfig withRecordedPorts() {
        return Endpoints.read(runDir().resolve(Endpoints.FILE_NAME))
            .map(recorded -> withPorts(
                portOf(recorded.kafkaBootstrapServers()),
                controllerPort,
                URI.create(recorded.s3Endpoint()).getPort()))
            .orElse(this);
    }

    private static int portOf(String hostAndPort) {
        return Integer.parseInt(hostAndPort.substring(hostAndPort.lastIndexOf(':') + 1).trim());
    }

    /** The same settings with another state directory. */
    public StackConfig withHome(Path newHome) {
        return new StackConfig(newHome, runtime, host, kafkaPort, controllerPort, s3Port,
            accessKey, secretKey, bucket, partitions);
    }

    public String kafkaBootstrapServers() {
        return host + ":" + kafkaPort;
    }

    public String s3Endpoint() {
        return "http://" + host + ":" + s3Port;
    }

    /** The endpoints clients use to reach this stack. */
    public Endpoints endpoints() {
        return new Endpoints(kafkaBootstrapServers(), s3Endpoint(), accessKey, secretKey, bucket);
    }

    public Path stackDir() {
        return home.resolve("stack");
    }

    public Path logDir() {
        return home.resolve("logs");
    }

    public Path runDir() {
        return home.resolve("run");
    }

    private static int intOf(Map<String, String> env, String name, int fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a port number, got '" + value + "'", e);
        }
    }

    private static void requirePort(String name, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(name + " must be in 1..65535, got " + port);
        }
    }
}
