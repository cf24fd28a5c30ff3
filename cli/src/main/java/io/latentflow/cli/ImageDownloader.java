package io.latentflow.cli;

import io.latentflow.deploy.Endpoints;
import io.minio.DownloadObjectArgs;
import io.minio.MinioClient;
import java.nio.file.Files;
import java.nio.file.Path;

/** Copies result images from the object store to local files. */
final class ImageDownloader {

    private final MinioClient client;
    private final String bucket;

    ImageDownloader(Endpoints endpoints) {
        this.client = MinioClient.builder()
            .endpoint(endpoints.s3Endpoint())
            .credentials(endpoints.accessKey(), endpoints.secretKey())
            .build();
        this.bucket = endpoints.bucket();
    }

    /** Downloads {@code key} to {@code target}, replacing it. */
    void download(String key, Path target) throws Exception {
        Path absolute = target.toAbsolutePath();
        if (absolute.getParent() != null) {
            Files.createDirectories(absolute.getParent());
        }
        Files.deleteIfExists(absolute);
        client.downloadObject(DownloadObjectArgs.builder().bucket(bucket).object(key).filename(absolute.toString()).build());
    }
}
