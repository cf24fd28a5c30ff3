package io.latentflow.orchestrator.storage;

import io.latentflow.orchestrator.config.OrchestratorConfig;
import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.Result;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.ServerException;
import io.minio.http.HttpUtils;
import io.minio.messages.Item;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayInputStream;
import io.latentflow.orchestrator.retry.Backoff;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * The bucket that holds jobs, images, latents and models, on any S3-compatible server. A call that cannot reach the
 * server (connection refused or cut, a 5xx answer) is tried again with backoff for up to
 * {@code orchestrator.storage.outage-timeout}, so a job pauses through an S3 restart instead of failing.
 */
@ApplicationScoped
public class ObjectStore {

    private static final Logger LOG = Logger.getLogger(ObjectStore.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** Connect, write and read timeouts of one HTTP exchange (milliseconds), the MinIO client's own default. */
    private static final long HTTP_TIMEOUT = Duration.ofMinutes(5).toMillis();

    private final MinioClient client;
    private final String bucket;
    private final Duration outageTimeout;
    private volatile boolean bucketReady;

    public ObjectStore(OrchestratorConfig config) {
        OrchestratorConfig.Storage storage = config.storage();
        this.client = MinioClient.builder()
                .endpoint(storage.endpoint())
                .credentials(storage.accessKey(), storage.secretKey())
                .httpClient(HttpUtils.newDefaultHttpClient(HTTP_TIMEOUT, HTTP_TIMEOUT, HTTP_TIMEOUT).newBuilder()
                        .socketFactory(new NoDelaySockets()).build(), true)
                .build();
        this.bucket = storage.bucket();
        this.outageTimeout = storage.outageTimeout();
    }

    public String bucket() {
        return bucket;
    }

    /** Stores {@code data} under {@code key}, creating the bucket on first use. */
    public void put(String key, byte[] data, String contentType) {
        ensureBucket();
        call("write s3://" + bucket + "/" + key, () -> client.putObject(PutObjectArgs.builder()
                .bucket(bucket)
                .object(key)
                .stream(new ByteArrayInputStream(data), data.length, -1)
                .contentType(contentType)
                .build()));
    }

    /**
     * Stores {@code data} under {@code key} on a worker thread, as {@link #put} does (retries included), so that the
     * caller goes on meanwhile; completes once the object is stored, or with the {@link StorageException}.
     */
    public CompletableFuture<Void> putAsync(String key, byte[] data, String contentType) {
        return CompletableFuture.runAsync(() -> put(key, data, contentType), Infrastructure.getDefaultWorkerPool());
    }

    /** The object's bytes, or empty when there is no such object. */
    public Optional<byte[]> get(String key) {
        return call("read s3://" + bucket + "/" + key, () -> {
            try (GetObjectResponse response = client.getObject(
                    GetObjectArgs.builder().bucket(bucket).object(key).build())) {
                return Optional.of(response.readAllBytes());
            } catch (ErrorResponseException e) {
                String code = e.errorResponse().code();
                if ("NoSuchKey".equals(code) || "NoSuchBucket".equals(code) || "NoSuchObject".equals(code)) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    /** Keys of the objects under {@code prefix} (recursively); empty when the bucket does not exist yet. */
    public List<String> list(String prefix) {
        return call("list s3://" + bucket + "/" + prefix, () -> {
            List<String> keys = new ArrayList<>();
            try {
                for (Result<Item> result : client.listObjects(ListObjectsArgs.builder()
                        .bucket(bucket).prefix(prefix).recursive(true).build())) {
                    Item item = result.get();
                    if (!item.isDir()) {
                        keys.add(item.objectName());
                    }
                }
            } catch (ErrorResponseException e) {
                if (!"NoSuchBucket".equals(e.errorResponse().code())) {
                    throw e;
                }
            }
            return keys;
        });
    }

    /** Names of the immediate "folders" under {@code prefix} (which ends with '/'), without the prefix. */
    public List<String> listFolders(String prefix) {
        return call("list s3://" + bucket + "/" + prefix, () -> {
            List<String> names = new ArrayList<>();
            try {
                for (Result<Item> result : client.listObjects(ListObjectsArgs.builder()
                        .bucket(bucket).prefix(prefix).delimiter("/").build())) {
                    String name = result.get().objectName();
                    if (name.endsWith("/") && name.length() > prefix.length()) {
                        names.add(name.substring(prefix.length(), name.length() - 1));
                    }
                }
            } catch (ErrorResponseException e) {
                if (!"NoSuchBucket".equals(e.errorResponse().code())) {
                    throw e;
                }
            }
            return names;
        });
    }

    private void ensureBucket() {
        if (bucketReady) {
            return;
        }
        synchronized (this) {
            if (bucketReady) {
                return;
            }
            call("create bucket " + bucket, () -> {
                try {
                    if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                        client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
                    }
                } catch (ErrorResponseException e) {
                    String code = e.errorResponse().code();
                    if (!"BucketAlreadyOwnedByYou".equals(code) && !"BucketAlreadyExists".equals(code)) {
                        throw e;
                    }
                }
                return null;
            });
            bucketReady = true;
        }
    }

    /** One S3 operation; {@link #call} decides which of its failures are worth another try. */
    private interface Operation<T> {
        T run() throws Exception;
    }

    /**
     * Runs {@code operation}, trying again while the server is unreachable (IOException) or answers 5xx
     * (ServerException), with backoff doubling from 200 ms to 5 s, until the outage timeout; any other failure, and
     * the last one, is a StorageException naming {@code what}.
     */
    private <T> T call(String what, Operation<T> operation) {
        Backoff backoff = new Backoff(FIRST_BACKOFF, MAX_BACKOFF, outageTimeout);
        while (true) {
            try {
                return operation.run();
            } catch (IOException | ServerException e) {
                if (!backoff.withinDeadline()) {
                    throw new StorageException("cannot " + what + " (unreachable for " + outageTimeout.toSeconds()
                            + " s): " + e.getMessage(), e);
                }
                LOG.warnf("cannot %s (%s); trying again in %d ms", what, e.getMessage(), backoff.nextWait().toMillis());
                if (!backoff.await()) {
                    throw new StorageException("cannot " + what + ": interrupted while the server was unreachable", e);
                }
            } catch (Exception e) {
                throw new StorageException("cannot " + what + ": " + e.getMessage(), e);
            }
        }
    }
}
