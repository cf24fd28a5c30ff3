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
import io.minio.messages.Item;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The bucket that holds jobs, images, latents and models, on any S3-compatible server. */
@ApplicationScoped
public class ObjectStore {

    private final MinioClient client;
    private final String bucket;
    private volatile boolean bucketReady;

    public ObjectStore(OrchestratorConfig config) {
        OrchestratorConfig.Storage storage = config.storage();
        this.client = MinioClient.builder()
                .endpoint(storage.endpoint())
                .credentials(storage.accessKey(), storage.secretKey())
                .build();
        this.bucket = storage.bucket();
    }

    public String bucket() {
        return bucket;
    }

    /** Stores {@code data} under {@code key}, creating the bucket on first use. */
    public void put(String key, byte[] data, String contentType) {
        ensureBucket();
        try {
            client.putObject(PutObjectArgs.builder()
                    .bucket(bucket)
                    .object(key)
                    .stream(new ByteArrayInputStream(data), data.length, -1)
                    .contentType(contentType)
                    .build());
        } catch (Exception e) {
            throw new StorageException("cannot write s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
        }
    }

    /** The object's bytes, or empty when there is no such object. */
    public Optional<byte[]> get(String key) {
        try (GetObjectResponse response = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
            return Optional.of(response.readAllBytes());
        } catch (ErrorResponseException e) {
            String code = e.errorResponse().code();
            if ("NoSuchKey".equals(code) || "NoSuchBucket".equals(code) || "NoSuchObject".equals(code)) {
                return Optional.empty();
            }
            throw new StorageException("cannot read s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new StorageException("cannot read s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
        }
    }

    /** Keys of the objects under {@code prefix} (recursively); empty when the bucket does not exist yet. */
    public List<String> list(String prefix) {
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
            if ("NoSuchBucket".equals(e.errorResponse().code())) {
                return keys;
            }
            throw new StorageException("cannot list s3://" + bucket + "/" + prefix + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new StorageException("cannot list s3://" + bucket + "/" + prefix + ": " + e.getMessage(), e);
        }
        return keys;
    }

    /** Names of the immediate "folders" under {@code prefix} (which ends with '/'), without the prefix. */
    public List<String> listFolders(String prefix) {
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
            if ("NoSuchBucket".equals(e.errorResponse().code())) {
                return names;
            }
            throw new StorageException("cannot list s3://" + bucket + "/" + prefix + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new StorageException("cannot list s3://" + bucket + "/" + prefix + ": " + e.getMessage(), e);
        }
        return names;
    }

    private void ensureBucket() {
        if (bucketReady) {
            return;
        }
        synchronized (this) {
            if (bucketReady) {
                return;
            }
            try {
                if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                    client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
                }
            } catch (ErrorResponseException e) {
                String code = e.errorResponse().code();
                if (!"BucketAlreadyOwnedByYou".equals(code) && !"BucketAlreadyExists".equals(code)) {
                    throw new StorageException("cannot create bucket " + bucket + ": " + e.getMessage(), e);
                }
            } catch (Exception e) {
                throw new StorageException("cannot reach bucket " + bucket + ": " + e.getMessage(), e);
            }
            bucketReady = true;
        }
    }
}
