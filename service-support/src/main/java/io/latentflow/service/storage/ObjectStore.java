package io.latentflow.service.storage;

import io.latentflow.service.config.StoreConfig;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.UploadObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The bucket of a service's {@code <prefix>.store.*} keys on an S3-compatible server: the one place its client is
 * built, and the few calls the services make (list, stat, copy to and from local files, remove).
 */
public final class ObjectStore {

    /** Error codes S3 servers answer for a key that does not exist. */
    private static final Set<String> MISSING = Set.of("NoSuchKey", "NoSuchObject", "ResourceNotFound");

    private final MinioClient client;
    private final String bucket;
    private final String endpoint;

    private ObjectStore(StoreConfig config, String endpoint) {
        if (config.accessKey().isEmpty() || config.secretKey().isEmpty()) {
            // no default credentials: a store without them is a configuration mistake, said at start
            throw new IllegalStateException("the object store " + endpoint + " needs credentials: set "
                    + "LATENTFLOW_S3_ACCESS_KEY and LATENTFLOW_S3_SECRET_KEY (the keys <service>.store.access-key and "
                    + "<service>.store.secret-key)");
        }
        MinioClient.Builder builder = MinioClient.builder().endpoint(endpoint)
                .credentials(config.accessKey().get(), config.secretKey().get());
        config.region().ifPresent(builder::region);
        this.client = builder.build();
        this.bucket = config.bucket();
        this.endpoint = endpoint;
    }

    /** The store the config names, or empty when it sets no endpoint (the service then works from local disk). */
    public static Optional<ObjectStore> of(StoreConfig config) {
        return config.endpoint().filter(endpoint -> !endpoint.isBlank())
                .map(endpoint -> new ObjectStore(config, endpoint));
    }

    /** {@code <endpoint>/<bucket>/}, for messages. */
    public String location() {
        return endpoint + "/" + bucket + "/";
    }

    /** Keys of every object under a prefix, at any depth. */
    public List<String> keys(String prefix) {
        List<String> keys = new ArrayList<>();
        for (Item item : list(prefix, true)) {
            if (!item.isDir()) {
                keys.add(item.objectName());
            }
        }
        return keys;
    }

    /** The "folders" directly under a prefix: common prefixes of its keys, each ending in '/'. */
    public List<String> folders(String prefix) {
        List<String> folders = new ArrayList<>();
        for (Item item : list(prefix, false)) {
            if (item.isDir()) {
                folders.add(item.objectName());
            }
        }
        return folders;
    }

    /** True when an object with exactly this key exists. */
    public boolean exists(String key) {
        try {
            client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
            return true;
        } catch (ErrorResponseException e) {
            if (isMissing(e)) {
                return false;
            }
            throw failure("stat", key, e);
        } catch (Exception e) {
            throw failure("stat", key, e);
        }
    }

    /**
     * What identifies the object's current content: its ETag and last-modified time (an object written again with the
     * same bytes still gets a new time), or empty when there is no such object.
     */
    public Optional<String> revision(String key) {
        try {
            StatObjectResponse stat = client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
            return Optional.of(stat.etag() + "@" + stat.lastModified().toInstant().toEpochMilli());
        } catch (ErrorResponseException e) {
            if (isMissing(e)) {
                return Optional.empty();
            }
            throw failure("stat", key, e);
        } catch (Exception e) {
            throw failure("stat", key, e);
        }
    }

    /**
     * Copies an object into a local file (replacing it, creating its folder).
     *
     * @return false, with no file written, when there is no such object
     */
    public boolean download(String key, Path file) {
        try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (ErrorResponseException e) {
            if (isMissing(e)) {
                return false;
            }
            throw failure("read", key, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + location() + key + " to " + file, e);
        } catch (Exception e) {
            throw failure("read", key, e);
        }
    }

    /** Stores a local file under a key, replacing any object there. */
    public void upload(Path file, String key) {
        try {
            client.uploadObject(UploadObjectArgs.builder().bucket(bucket).object(key).filename(file.toString())
                    .build());
        } catch (Exception e) {
            throw failure("write", key, e);
        }
    }

    /** Removes an object; removing a missing one is not an error. */
    public void remove(String key) {
        try {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
        } catch (Exception e) {
            throw failure("remove", key, e);
        }
    }

    private List<Item> list(String prefix, boolean recursive) {
        List<Item> items = new ArrayList<>();
        Iterable<Result<Item>> results = client.listObjects(
                ListObjectsArgs.builder().bucket(bucket).prefix(prefix).recursive(recursive).build());
        try {
            for (Result<Item> result : results) {
                items.add(result.get());
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot list " + location() + prefix + ": " + e.getMessage(), e);
        }
        return items;
    }

    private static boolean isMissing(ErrorResponseException e) {
        return e.errorResponse() != null && MISSING.contains(e.errorResponse().code())
                || e.response() != null && e.response().code() == 404;
    }

    private IllegalStateException failure(String operation, String key, Exception e) {
        return new IllegalStateException("cannot " + operation + " " + location() + key + ": " + e.getMessage(), e);
    }
}
