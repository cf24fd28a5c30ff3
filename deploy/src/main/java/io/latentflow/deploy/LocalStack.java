package io.latentflow.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The local stack: a real Kafka broker and a real S3-compatible server as processes on 127.0.0.1, with the
 * LatentFlow topics and bucket created. Processes outlive the JVM that started them; {@link #down()} stops them.
 */
public final class LocalStack {

    /** How long a server gets to exit after SIGTERM before it is killed. */
    public static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final StackConfig config;
    private final KafkaBroker kafka;
    private final S3Server s3;

    public LocalStack(StackConfig config) {
        this.config = config;
        this.kafka = new KafkaBroker(config);
        this.s3 = new S3Server(config);
    }

    public StackConfig config() {
        return config;
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    public S3Server s3() {
        return s3;
    }

    /**
     * Starts whatever is not running, waits until both servers answer, creates the topics and the bucket, and
     * records the endpoints in run/stack.properties. If a server fails to come up, the servers started by this
     * call are stopped again.
     */
    public Endpoints up(Duration timeout) throws Exception {
        boolean kafkaWasRunning = kafka.process().running().isPresent();
        boolean s3WasRunning = s3.process().running().isPresent();
        try {
            kafka.start();
            s3.start();
            s3.awaitReady(timeout);
            kafka.awaitReady(timeout);
            kafka.createTopics();
            s3.createBucket();
        } catch (Exception | Error e) {
            if (!kafkaWasRunning) {
                kafka.stop(STOP_GRACE);
            }
            if (!s3WasRunning) {
                s3.stop(STOP_GRACE);
            }
            throw e;
        }
        Endpoints endpoints = config.endpoints();
        endpoints.write(endpointsFile());
        return endpoints;
    }

    /** The state of both servers. */
    public List<ComponentStatus> status() {
        return List.of(kafka.status(), s3.status());
    }

    /** Stops both servers (SIGTERM, then SIGKILL after {@link #STOP_GRACE}); returns the names of those that ran. */
    public List<String> down() throws InterruptedException, IOException {
        List<String> stopped = BackgroundProcess.stopAll(List.of(kafka.process(), s3.process()), STOP_GRACE);
        Files.deleteIfExists(endpointsFile());
        return stopped;
    }

    private Path endpointsFile() {
        return config.runDir().resolve(Endpoints.FILE_NAME);
    }
}
