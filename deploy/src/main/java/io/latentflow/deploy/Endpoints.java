package io.latentflow.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * How clients and services reach Kafka and the object store: bootstrap servers, S3 endpoint, credentials, bucket.
 */
public record Endpoints(
        String kafkaBootstrapServers,
        String s3Endpoint,
        String accessKey,
        String secretKey,
        String bucket) {

    /** File under the state directory's run/ in which a running local stack records its endpoints. */
    public static final String FILE_NAME = "stack.properties";

    public Endpoints {
        requireText("kafkaBootstrapServers", kafkaBootstrapServers);
        requireText("s3Endpoint", s3Endpoint);
        requireText("accessKey", accessKey);
        requireText("secretKey", secretKey);
        requireText("bucket", bucket);
    }

    /**
     * The endpoints to use: the running local stack's (from run/stack.properties) or the stack's configured ones,
     * each overridden by LATENTFLOW_KAFKA, LATENTFLOW_S3_ENDPOINT, LATENTFLOW_S3_ACCESS_KEY,
     * LATENTFLOW_S3_SECRET_KEY, LATENTFLOW_S3_BUCKET.
     */
    public static Endpoints resolve(StackConfig stack) {
        return resolve(stack, System.getenv());
    }

    static Endpoints resolve(StackConfig stack, Map<String, String> env) {
        Endpoints base = read(stack.runDir().resolve(FILE_NAME)).orElse(stack.endpoints());
        return new Endpoints(
            override(env, "LATENTFLOW_KAFKA", base.kafkaBootstrapServers),
            override(env, "LATENTFLOW_S3_ENDPOINT", base.s3Endpoint),
            override(env, "LATENTFLOW_S3_ACCESS_KEY", base.accessKey),
            override(env, "LATENTFLOW_S3_SECRET_KEY", base.secretKey),
            override(env, "LATENTFLOW_S3_BUCKET", base.bucket));
    }

    /** Whether the environment points at an external Kafka or object store instead of the local stack. */
    public static boolean externalInEnvironment() {
        return isSet(System.getenv("LATENTFLOW_KAFKA")) || isSet(System.getenv("LATENTFLOW_S3_ENDPOINT"));
    }

    /** Reads endpoints written by {@link #write}. */
    public static Optional<Endpoints> read(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
        return Optional.of(new Endpoints(
            properties.getProperty("kafka.bootstrap.servers"),
            properties.getProperty("s3.endpoint"),
            properties.getProperty("s3.access-key"),
            properties.getProperty("s3.secret-key"),
            properties.getProperty("s3.bucket")));
    }

    /** Records these endpoints in {@code file}. */
    public void write(Path file) throws IOException {
        Properties properties = new Properties();
        properties.setProperty("kafka.bootstrap.servers", kafkaBootstrapServers);
        properties.setProperty("s3.endpoint", s3Endpoint);
        properties.setProperty("s3.access-key", accessKey);
        properties.setProperty("s3.secret-key", secretKey);
        properties.setProperty("s3.bucket", bucket);
        Files.createDirectories(file.getParent());
        try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(writer, "endpoints of the running LatentFlow local stack");
        }
    }

    private static String override(Map<String, String> env, String name, String fallback) {
        String value = env.get(name);
        return isSet(value) ? value.trim() : fallback;
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }

    private static void requireText(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
    }
}
