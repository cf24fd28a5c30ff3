package io.latentflow.orchestrator.training;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.latentflow.orchestrator.storage.ObjectStore;
import io.latentflow.proto.TrainingEvent;
import io.latentflow.proto.TrainingRun;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The record of each run in the bucket: {@code training/<run>/run.json} (the run's state, the truth a redelivered
 * request consults) and {@code training/<run>/metrics.jsonl} (one event per line, rewritten as the run goes).
 */
@ApplicationScoped
public class TrainingRuns {

    private static final JsonFormat.Printer PRETTY = JsonFormat.printer();
    private static final JsonFormat.Printer LINE = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

    private final ObjectStore store;

    @Inject
    TrainingRuns(ObjectStore store) {
        this.store = store;
    }

    private final Map<String, StringBuilder> metrics = new ConcurrentHashMap<>();

    /** The key prefix of a run's objects. */
    public static String prefix(String runId) {
        return "training/" + runId + "/";
    }

    /** Writes run.json, stamped with the time of this update. */
    public void save(TrainingRun.Builder run) {
        try {
            TrainingRun updated = run.setUpdatedMs(System.currentTimeMillis()).build();
            store.put(prefix(run.getRunId()) + "run.json", PRETTY.print(updated).getBytes(StandardCharsets.UTF_8),
                    "application/json");
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The recorded run, if any. */
    public Optional<TrainingRun> find(String runId) {
        return store.get(prefix(runId) + "run.json").map(bytes -> {
            TrainingRun.Builder b = TrainingRun.newBuilder();
            try {
                PARSER.merge(new String(bytes, StandardCharsets.UTF_8), b);
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("training/" + runId + "/run.json is not a TrainingRun: "
                        + e.getMessage(), e);
            }
            return b.build();
        });
    }

    /** Ids of every recorded run. */
    public List<String> ids() {
        return store.listFolders("training/");
    }

    /** The recorded runs, latest created first, at most {@code limit}; from the bucket, so any orchestrator answers. */
    public List<TrainingRun> recent(int limit) {
        return ids().stream().map(this::find).flatMap(Optional::stream)
                .sorted(Comparator.comparingLong(TrainingRun::getCreatedMs).reversed())
                .limit(limit)
                .toList();
    }

    /**
     * The run's metrics rows (JSON lines): while it runs here, up to its latest event; else as last written to the
     * bucket. Empty when the run has none.
     */
    public Optional<String> metrics(String runId) {
        StringBuilder rows = metrics.get(runId);
        if (rows != null) {
            synchronized (rows) {
                return Optional.of(rows.toString());
            }
        }
        return store.get(prefix(runId) + "metrics.jsonl").map(bytes -> new String(bytes, StandardCharsets.UTF_8));
    }

    /**
     * Appends an event to the run's metrics; the file is rewritten when {@code flush} (terminal events, checkpoints
     * and every few progress rows), so that a crash loses at most the rows since the last flush.
     */
    public void appendMetrics(TrainingEvent event, boolean flush) {
        StringBuilder rows = metrics.computeIfAbsent(event.getRunId(), id -> new StringBuilder(
                store.get(prefix(id) + "metrics.jsonl").map(b -> new String(b, StandardCharsets.UTF_8)).orElse("")));
        synchronized (rows) {
            try {
                rows.append(LINE.print(event)).append('\n');
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException(e);
            }
            if (flush) {
                store.put(prefix(event.getRunId()) + "metrics.jsonl", rows.toString().getBytes(StandardCharsets.UTF_8),
                        "application/x-ndjson");
            }
        }
    }

    /** Forgets the in-memory copy of an ended run's metrics. */
    public void release(String runId) {
        metrics.remove(runId);
    }
}
