package io.latentflow.service.storage;

import io.latentflow.service.config.StoreConfig;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.messages.Item;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Models kept in an S3-compatible bucket under {@code models/<name>/<version>/}, listed and copied to local disk. */
public final class ObjectStoreModels {

    private static final String PREFIX = "models/";

    private final MinioClient client;
    private final String bucket;
    private final String endpoint;

    public ObjectStoreModels(StoreConfig config, String endpoint) {
        MinioClient.Builder builder = MinioClient.builder().endpoint(endpoint);
        if (config.accessKey().isPresent() && config.secretKey().isPresent()) {
            builder.credentials(config.accessKey().get(), config.secretKey().get());
        }
        config.region().ifPresent(builder::region);
        this.client = builder.build();
        this.bucket = config.bucket();
        this.endpoint = endpoint;
    }

    /** Where the models are, for messages. */
    public String location() {
        return endpoint + "/" + bucket + "/" + PREFIX;
    }

    /** Versions present in the bucket for a model name. */
    public List<String> versions(String name) {
        List<String> versions = new ArrayList<>();
        String prefix = PREFIX + name + "/";
        for (Item item : list(prefix, false)) {
            if (item.isDir()) {
                String version = item.objectName().substring(prefix.length()).replace("/", "");
                if (!version.isEmpty()) {
                    versions.add(version);
                }
            }
        }
        return versions;
    }

    /**
     * Copies {@code models/<name>/<version>/model_index.json} and every object under the given component folders into
     * {@code target}, keeping relative paths.
     *
     * @return the number of objects copied; 0 when the bucket has no such model version
     */
    public int download(ModelId id, Path target, Set<String> components) {
        String prefix = PREFIX + id.name() + "/" + id.version() + "/";
        Path base = target.toAbsolutePath().normalize();
        int copied = 0;
        for (Item item : list(prefix, true)) {
            if (item.isDir()) {
                continue;
            }
            String relative = item.objectName().substring(prefix.length());
            Path file = base.resolve(relative).normalize();
            String top = relative.contains("/") ? relative.substring(0, relative.indexOf('/')) : relative;
            boolean wanted = relative.equals("model_index.json") || components.contains(top) && !top.equals(relative);
            if (!wanted || !file.startsWith(base)) {
                continue;
            }
            try (InputStream in = client.getObject(
                    GetObjectArgs.builder().bucket(bucket).object(item.objectName()).build())) {
                Files.createDirectories(file.getParent());
                Files.copy(in, file);
                copied++;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy " + item.objectName() + " to " + file, e);
            } catch (Exception e) {
                throw new IllegalStateException("cannot read " + item.objectName() + " from " + location(), e);
            }
        }
        return copied;
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
            throw new IllegalStateException("cannot list " + prefix + " in " + location() + ": " + e.getMessage(), e);
        }
        return items;
    }
}
