package io.latentflow.cli;

import io.latentflow.deploy.Endpoints;
import io.latentflow.proto.TrainingEvent;
import io.latentflow.proto.TrainingRun;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Reads training runs as the orchestrator records them: training/<run>/run.json and training/<run>/metrics.jsonl. */
final class TrainingRunReader {

    static final String PREFIX = "training/";

    private final MinioClient client;
    private final String bucket;

    TrainingRunReader(Endpoints endpoints) {
        this.client = MinioClient.builder()
            .endpoint(endpoints.s3Endpoint())
            .credentials(endpoints.accessKey(), endpoints.secretKey())
            .build();
        this.bucket = endpoints.bucket();
    }

    String location() {
        return "s3://" + bucket + "/" + PREFIX;
    }

    /** Every recorded run, most recently updated first. */
    List<TrainingRun> list() throws Exception {
        List<TrainingRun> runs = new ArrayList<>();
        // one level deep: the run folders, not the checkpoints and samples inside them
        for (Result<Item> result : client.listObjects(
                ListObjectsArgs.builder().bucket(bucket).prefix(PREFIX).recursive(false).build())) {
            Item item = result.get();
            if (item.isDir()) {
                String runId = item.objectName().substring(PREFIX.length()).replaceAll("/$", "");
                find(runId).ifPresent(runs::add);
            }
        }
        runs.sort(Comparator.comparingLong(TrainingRun::getUpdatedMs).reversed());
        return runs;
    }

    /** The run's run.json, or empty when there is none (yet). */
    Optional<TrainingRun> find(String runId) throws Exception {
        Optional<String> json = read(PREFIX + runId + "/run.json");
        if (json.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(ProtoJson.merge(json.get(), TrainingRun.newBuilder()).build());
    }

    /** The last {@code count} progress rows of the run's metrics.jsonl, oldest first. */
    List<TrainingEvent> lastProgress(String runId, int count) throws Exception {
        List<TrainingEvent> rows = progress(runId);
        return List.copyOf(rows.subList(Math.max(0, rows.size() - count), rows.size()));
    }

    /** Every progress row of the run's metrics.jsonl, oldest first. */
    List<TrainingEvent> progress(String runId) throws Exception {
        List<TrainingEvent> rows = new ArrayList<>();
        for (String line : read(PREFIX + runId + "/metrics.jsonl").orElse("").split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            TrainingEvent event = ProtoJson.merge(line, TrainingEvent.newBuilder()).build();
            if (event.getType().equals("progress")) {
                rows.add(event);
            }
        }
        return rows;
    }

    private Optional<String> read(String key) throws Exception {
        try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
            return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (ErrorResponseException e) {
            if ("NoSuchKey".equals(e.errorResponse().code())) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
