package io.latentflow.deploy;

import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.TimeoutException;

/**
 * An S3-compatible object store on the local file system: S3Proxy with its filesystem-nio2 backend and AWS
 * signature (v2 or v4) authentication, run as a separate process.
 */
public final class S3Server {

    private final StackConfig config;
    private final BackgroundProcess process;

    public S3Server(StackConfig config) {
        this.config = config;
        this.process = new BackgroundProcess("s3proxy", config.runDir(), config.logDir());
    }

    public BackgroundProcess process() {
        return process;
    }

    private Path dir() {
        return config.stackDir().resolve("s3");
    }

    private Path dataDir() {
        return dir().resolve("data");
    }

    private Path conf() {
        return dir().resolve("s3proxy.conf");
    }

    private Path jar() {
        return config.runtime().resolve("s3proxy.jar");
    }

    /** Starts the server unless it already runs; returns without waiting for readiness. */
    public void start() throws IOException {
        if (process.running().isPresent()) {
            return;
        }
        if (!Files.isRegularFile(jar())) {
            throw new IllegalStateException("S3Proxy is missing at " + jar()
                + "; build it with: mvn -B -q -pl deploy -am install -DskipTests");
        }
        PortCheck.requireFree(config.host(), config.s3Port(), "s3proxy", "LATENTFLOW_S3_PORT");
        writeConfig();
        process.startJava(
            List.of("-Xms32m", "-Xmx256m", "-XX:+UseSerialGC", "-Djava.awt.headless=true"),
            List.of("-jar", jar().toString(), "--properties", conf().toString()),
            dir());
    }

    /** Waits until the server answers an authenticated bucketExists, failing early when its process dies. */
    public void awaitReady(Duration timeout) throws InterruptedException, TimeoutException {
        try {
            Await.until("s3proxy at " + config.s3Endpoint(), timeout, Duration.ofMillis(200),
                this::ready, () -> process.running().isEmpty());
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + "; last lines of " + process.logFile() + ":\n"
                + process.logTail(30), e);
        }
    }

    /** Whether the server answers an authenticated request now. */
    public boolean ready() {
        try {
            client().bucketExists(BucketExistsArgs.builder().bucket(config.bucket()).build());
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** Creates the bucket when it does not exist. */
    public void createBucket() throws Exception {
        MinioClient client = client();
        if (!client.bucketExists(BucketExistsArgs.builder().bucket(config.bucket()).build())) {
            client.makeBucket(MakeBucketArgs.builder().bucket(config.bucket()).build());
        }
    }

    /** Stops the server (SIGTERM, SIGKILL after {@code grace}); returns whether it was running. */
    public boolean stop(Duration grace) throws InterruptedException {
        return process.stop(grace);
    }

    public ComponentStatus status() {
        OptionalLong pid = process.running().map(handle -> OptionalLong.of(handle.pid())).orElse(OptionalLong.empty());
        boolean ready = pid.isPresent() && ready();
        return new ComponentStatus("s3proxy", pid, ready, config.s3Endpoint() + " bucket " + config.bucket(),
            process.logFile());
    }

    private MinioClient client() {
        MinioClient client = MinioClient.builder()
            .endpoint(config.s3Endpoint())
            .credentials(config.accessKey(), config.secretKey())
            .build();
        client.setTimeout(2000, 5000, 5000);
        return client;
    }

    private void writeConfig() throws IOException {
        Files.createDirectories(dataDir());
        Properties properties = new Properties();
        properties.setProperty("s3proxy.endpoint", config.s3Endpoint());
        properties.setProperty("s3proxy.authorization", "aws-v2-or-v4");
        properties.setProperty("s3proxy.identity", config.accessKey());
        properties.setProperty("s3proxy.credential", config.secretKey());
        properties.setProperty("jclouds.provider", "filesystem-nio2");
        properties.setProperty("jclouds.identity", config.accessKey());
        properties.setProperty("jclouds.credential", config.secretKey());
        properties.setProperty("jclouds.filesystem.basedir", dataDir().toString());
        try (var writer = Files.newBufferedWriter(conf(), StandardCharsets.UTF_8)) {
            properties.store(writer, "LatentFlow local stack: S3Proxy on the local file system");
        }
    }
}
