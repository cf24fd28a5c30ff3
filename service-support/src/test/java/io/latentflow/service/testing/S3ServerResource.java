package io.latentflow.service.testing;

import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Runs S3Proxy (filesystem backend, AWS signatures) as a separate process on a free loopback port, holding
 * {@code models/remote-tiny/3/}: the repository's tiny-sd/1 folder, and points the service's object store at it. The
 * init argument {@value #CONFIG_PREFIX} names the service's config prefix ({@code vae}, {@code denoiser}); the
 * module copies the server's jar to {@code target/s3proxy/s3proxy.jar}.
 */
public class S3ServerResource implements QuarkusTestResourceLifecycleManager {

    /** Init argument: the config prefix whose {@code <prefix>.store.*} keys point at the server. */
    public static final String CONFIG_PREFIX = "config-prefix";
    public static final String BUCKET = "latentflow";
    public static final String ACCESS_KEY = "latentflow";
    public static final String SECRET_KEY = "latentflow-secret";
    public static final String REMOTE_MODEL = "remote-tiny";
    public static final String REMOTE_VERSION = "3";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private String prefix;
    private Process process;

    @Override
    public void init(Map<String, String> initArgs) {
        prefix = initArgs.get(CONFIG_PREFIX);
        if (prefix == null || prefix.isBlank()) {
            throw new IllegalArgumentException("S3ServerResource needs the init argument " + CONFIG_PREFIX);
        }
    }

    @Override
    public Map<String, String> start() {
        try {
            deleteTree(Path.of("target", "model-cache", REMOTE_MODEL));
            deleteTree(Path.of("target", "s3-test"));
            Path dir = Files.createDirectories(Path.of("target", "s3-test").toAbsolutePath());
            Path data = Files.createDirectories(dir.resolve("data"));
            int port = freePort();
            String endpoint = "http://127.0.0.1:" + port;
            Path conf = dir.resolve("s3proxy.conf");
            Files.writeString(conf, String.join("\n",
                    "s3proxy.endpoint=" + endpoint,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY,
                    "s3proxy.credential=" + SECRET_KEY,
                    "jclouds.provider=filesystem-nio2",
                    "jclouds.filesystem.basedir=" + data,
                    ""));
            process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx128m", "-XX:+UseSerialGC", "-jar", Path.of("target", "s3proxy", "s3proxy.jar").toString(),
                    "--properties", conf.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("s3proxy.log").toFile())
                    .start();
            MinioClient client = MinioClient.builder().endpoint(endpoint).credentials(ACCESS_KEY, SECRET_KEY).build();
            awaitReady(client);
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(BUCKET).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(BUCKET).build());
            }
            new TestBucket(endpoint).upload(Path.of("..", "models", "tiny-sd", "1"),
                    "models/" + REMOTE_MODEL + "/" + REMOTE_VERSION + "/");
            return Map.of(
                    prefix + ".store.endpoint", endpoint,
                    prefix + ".store.bucket", BUCKET,
                    prefix + ".store.access-key", ACCESS_KEY,
                    prefix + ".store.secret-key", SECRET_KEY);
        } catch (Exception e) {
            stop();
            throw new IllegalStateException("cannot start S3Proxy: " + e.getMessage(), e);
        }
    }

    @Override
    public void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    private void awaitReady(MinioClient client) {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (true) {
            try {
                client.bucketExists(BucketExistsArgs.builder().bucket(BUCKET).build());
                return;
            } catch (Exception notYet) {
                if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("S3Proxy did not answer within " + START_TIMEOUT, notYet);
                }
                LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
