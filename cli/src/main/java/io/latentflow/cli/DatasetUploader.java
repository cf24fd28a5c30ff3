package io.latentflow.cli;

import io.latentflow.core.dataset.Dataset;
import io.latentflow.deploy.Endpoints;
import io.minio.MinioClient;
import io.minio.RemoveObjectArgs;
import io.minio.StatObjectArgs;
import io.minio.UploadObjectArgs;
import io.minio.errors.ErrorResponseException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Copies a validated dataset to the object store as {@code datasets/<name>/}: the images, then metadata.jsonl, so
 * that a reader who finds the metadata finds every image it lists.
 */
final class DatasetUploader {

    static final String PREFIX = "datasets/";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final MinioClient client;
    private final String bucket;

    DatasetUploader(Endpoints endpoints) {
        this.client = MinioClient.builder()
            .endpoint(endpoints.s3Endpoint())
            .credentials(endpoints.accessKey(), endpoints.secretKey())
            .build();
        this.bucket = endpoints.bucket();
    }

    /** A name becomes one key segment: letters, digits, '.', '_' and '-', starting with a letter or digit. */
    static void requireValidName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("dataset name '" + name + "' must be letters, digits, '.', '_' or '-',"
                + " starting with a letter or digit (it is stored as " + PREFIX + "<name>/)");
        }
    }

    /**
     * Uploads {@code dataset} as datasets/{@code name}/ and returns that location as s3://bucket/key/. An existing
     * dataset of that name is an error unless {@code replace}; then its metadata.jsonl goes first, so that while
     * the upload runs readers find no dataset rather than old captions over new images.
     */
    String upload(Dataset dataset, String name, boolean replace) throws Exception {
        requireValidName(name);
        String prefix = PREFIX + name + "/";
        String metadataKey = prefix + Dataset.METADATA_FILE;
        if (exists(metadataKey)) {
            if (!replace) {
                throw new IllegalStateException("s3://" + bucket + "/" + prefix + " already holds a dataset;"
                    + " pass --replace to replace it");
            }
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(metadataKey).build());
        }
        for (int i = 0; i < dataset.size(); i++) {
            String fileName = dataset.entries().get(i).fileName();
            put(prefix + fileName, dataset.imageFile(i).toString(), contentType(fileName));
        }
        put(metadataKey, dataset.metadataFile().toString(), "application/x-ndjson");
        return "s3://" + bucket + "/" + prefix;
    }

    private void put(String key, String file, String contentType) throws Exception {
        client.uploadObject(UploadObjectArgs.builder().bucket(bucket).object(key).filename(file)
            .contentType(contentType).build());
    }

    private boolean exists(String key) throws Exception {
        try {
            client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
            return true;
        } catch (ErrorResponseException e) {
            String code = e.errorResponse().code();
            if ("NoSuchKey".equals(code) || "NoSuchObject".equals(code)) {
                return false;
            }
            throw e;
        }
    }

    private static String contentType(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".png")) {
            return "image/png";
        }
        return lower.endsWith(".jpg") || lower.endsWith(".jpeg") ? "image/jpeg" : "application/octet-stream";
    }
}
