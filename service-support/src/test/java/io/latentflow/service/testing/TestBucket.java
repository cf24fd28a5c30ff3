package io.latentflow.service.testing;

import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.UploadObjectArgs;
import io.minio.messages.Item;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The test S3 server's bucket as a test sees it, through its own client: files in, keys out. */
public final class TestBucket {

    private final MinioClient client;

    public TestBucket(String endpoint) {
        this.client = MinioClient.builder().endpoint(endpoint)
                .credentials(S3ServerResource.ACCESS_KEY, S3ServerResource.SECRET_KEY).build();
    }

    /** Uploads every file of a folder under {@code prefix} (which ends in '/'), keeping relative paths. */
    public void upload(Path folder, String prefix) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(folder)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path file : files) {
            uploadFile(file, prefix + folder.relativize(file).toString().replace('\\', '/'));
        }
    }

    /** Uploads one file as {@code key}. */
    public void uploadFile(Path file, String key) {
        try {
            client.uploadObject(UploadObjectArgs.builder().bucket(S3ServerResource.BUCKET).object(key)
                    .filename(file.toString()).build());
        } catch (Exception e) {
            throw new IllegalStateException("cannot upload " + file + " as " + key, e);
        }
    }

    /** Every key under a prefix, at any depth, sorted. */
    public List<String> keys(String prefix) {
        List<String> keys = new ArrayList<>();
        try {
            for (Result<Item> result : client.listObjects(ListObjectsArgs.builder().bucket(S3ServerResource.BUCKET)
                    .prefix(prefix).recursive(true).build())) {
                keys.add(result.get().objectName());
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot list " + prefix, e);
        }
        return keys.stream().sorted().toList();
    }
}
