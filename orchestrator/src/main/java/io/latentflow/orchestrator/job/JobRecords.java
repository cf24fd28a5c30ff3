package io.latentflow.orchestrator.job;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.latentflow.orchestrator.storage.ObjectStore;
import io.latentflow.orchestrator.storage.StorageException;
import io.latentflow.proto.GenerationEvent;
import io.latentflow.proto.GenerationRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * A job's record in the bucket, the truth about a job id whatever Kafka delivers: jobs/&lt;id&gt;/job.json (the
 * request with its defaults written out) and, once its images are stored, jobs/&lt;id&gt;/result.json (its completed
 * event), then jobs/&lt;id&gt;/result.published once Kafka has that event. A job id names one request for good: the same request again finds its result, another one is refused.
 */
@ApplicationScoped
public class JobRecords {

    private static final Logger LOG = Logger.getLogger(JobRecords.class);
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

    private final ObjectStore store;

    @Inject
    JobRecords(ObjectStore store) {
        this.store = store;
    }

    /**
     * The completed event of an earlier run of this job, empty when it has not completed (never ran, or was cut
     * off); throws {@link InvalidRequestException} on {@code job_id} when the id was used by a different request.
     */
    public Optional<GenerationEvent> earlierCompletion(JobSpec spec) {
        String jobId = spec.jobId();
        Optional<GenerationRequest> earlier = recordedRequest(jobId);
        if (earlier.isEmpty()) {
            return Optional.empty();
        }
        if (!spec.sameWorkAs(earlier.get())) {
            throw new InvalidRequestException("job_id", "'" + jobId + "' already names another request (see "
                    + JobKeys.request(jobId) + "); submit this one under a new job id");
        }
        return recordedResult(jobId);
    }

    /** The recorded request of a job that has started somewhere, empty for an id never run. */
    public Optional<GenerationRequest> recordedRequest(String jobId) {
        return store.get(JobKeys.request(jobId))
                .map(bytes -> parse(bytes, GenerationRequest.newBuilder(), JobKeys.request(jobId)));
    }

    /** The recorded completed event of a job, empty until its images are stored. */
    public Optional<GenerationEvent> recordedResult(String jobId) {
        return store.get(JobKeys.result(jobId))
                .map(bytes -> parse(bytes, GenerationEvent.newBuilder(), JobKeys.result(jobId)));
    }

    /** Records the request of a job about to run, on a worker thread; completes once it is stored. */
    public CompletableFuture<Void> recordRequest(JobSpec spec) {
        return store.putAsync(JobKeys.request(spec.jobId()), json(spec.toRequest()), "application/json");
    }

    /** Records a job's completed event before it is published: from now on the job id stands for this result. */
    public void recordCompletion(GenerationEvent completed) {
        put(JobKeys.result(completed.getJobId()), completed);
    }

    /** Whether the recorded completed event is known to be on the events topic. */
    public boolean isPublished(String jobId) {
        return store.get(JobKeys.resultPublished(jobId)).isPresent();
    }

    /**
     * Notes that Kafka has the completed event. Best effort: without the note, a redelivered job publishes the same
     * event (same event id) once more, which consumers drop.
     */
    public void markPublished(String jobId) {
        try {
            store.put(JobKeys.resultPublished(jobId), new byte[0], "application/octet-stream");
        } catch (StorageException e) {
            LOG.warnf("cannot note that the result of job %s is published: %s", jobId, e.getMessage());
        }
    }

    private void put(String key, MessageOrBuilder message) {
        store.put(key, json(message), "application/json");
    }

    private static byte[] json(MessageOrBuilder message) {
        try {
            return PRINTER.print(message).getBytes(StandardCharsets.UTF_8);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print " + message, e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <M extends Message> M parse(byte[] json, Message.Builder builder, String key) {
        try {
            PARSER.merge(new String(json, StandardCharsets.UTF_8), builder);
            return (M) builder.build();
        } catch (InvalidProtocolBufferException e) {
            throw new StorageException("cannot read " + key + ": " + e.getMessage(), e);
        }
    }
}
