package io.latentflow.orchestrator.api;

import io.latentflow.orchestrator.config.OrchestratorConfig;
import io.latentflow.orchestrator.job.CancelRequests;
import io.latentflow.orchestrator.job.JobRecords;
import io.latentflow.orchestrator.job.JobTracker;
import io.latentflow.proto.EventType;
import io.latentflow.proto.GenerationEvent;
import io.latentflow.proto.GenerationRequest;
import io.latentflow.proto.JobStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/**
 * A job's status for every public API, whichever orchestrator runs it: from the events this process has heard
 * (events of every job reach every orchestrator through the events topic), else from the job's record in the bucket.
 * A client sees and cancels its own jobs and those written to the topic directly (they name no client); another
 * client's job is unknown to it, as is a job whose request is not known here yet.
 */
@ApplicationScoped
public class JobLookup {

    private final JobTracker tracker;
    private final JobRecords records;
    private final CancelRequests cancels;
    private final int workers;

    @Inject
    JobLookup(JobTracker tracker, JobRecords records, CancelRequests cancels, OrchestratorConfig config) {
        this.tracker = tracker;
        this.records = records;
        this.cancels = cancels;
        this.workers = config.workers();
    }

    /** The job's request, state and latest event, or empty when no orchestrator has heard of it. */
    public Optional<JobStatus> status(String jobId) {
        return tracker.find(jobId)
                .map(this::status)
                .map(status -> status.hasRequest() ? status : withRecordedRequest(status))
                .or(() -> recordedStatus(jobId));
    }

    /** {@link #status(String)} of a job {@code client} may see, else empty. */
    public Optional<JobStatus> status(ApiClients.Client client, String jobId) {
        return status(jobId).filter(status -> visibleTo(client, status));
    }

    /** Cancels a job {@code client} may see; false when it has ended or is unknown to the client. */
    public boolean cancel(ApiClients.Client client, String jobId) {
        return status(client, jobId).isPresent() && cancels.request(jobId);
    }

    /** Whether the job of {@code status} is {@code client}'s to see: its request names that client, or none. */
    public static boolean visibleTo(ApiClients.Client client, JobStatus status) {
        String owner = status.getRequest().getClient();
        return status.hasRequest() && (owner.isEmpty() || owner.equals(client.name()));
    }

    /** The status of a job this process tracks, with its place in the queue and the time it should end in. */
    public JobStatus status(JobTracker.TrackedJob job) {
        JobStatus.Builder status = JobStatus.newBuilder().setJobId(job.jobId());
        job.request().ifPresent(status::setRequest);
        job.lastEvent().ifPresentOrElse(
                event -> status.setState(event.getType()).setLastEvent(event),
                () -> status.setState(EventType.EVENT_TYPE_UNSPECIFIED));
        int position = tracker.queuePosition(job.jobId());
        return status.setQueuePosition(position).setPreviewKey(job.previewKey())
                .setEtaSeconds(etaSeconds(position, job.lastEvent().orElse(null), workers, tracker.meanJobSeconds(),
                        System.currentTimeMillis()))
                .build();
    }

    /**
     * Seconds until a job ends. A running job: the remaining steps' time its last progress event gave, less the time
     * since. A waiting job (queue position >= 1): the jobs ahead of it start as the workers free up, in rounds of
     * {@code workers} jobs, the first round when the running jobs (half done, on average) end; then it runs for the
     * mean job duration. 0 when the job has ended, or before any job gave a duration or a pace.
     */
    static double etaSeconds(int queuePosition, GenerationEvent last, int workers, double meanJobSeconds,
            long nowMs) {
        if (queuePosition > 0) {
            return meanJobSeconds * ((queuePosition - 1) / workers + 0.5) + meanJobSeconds;
        }
        if (last == null || last.getType() != EventType.PROGRESS) {
            return 0;
        }
        double elapsed = (nowMs - last.getTimestampMs()) / 1000.0;
        return Math.max(0, last.getProgress().getEtaSeconds() - elapsed);
    }

    /** The status of a job heard of only through its events, with its request from its record (read once). */
    private JobStatus withRecordedRequest(JobStatus status) {
        return records.recordedRequest(status.getJobId())
                .map(request -> {
                    tracker.rememberRequest(status.getJobId(), request);
                    return status.toBuilder().setRequest(request).build();
                })
                .orElse(status);
    }

    /** A job this orchestrator has not heard of, from its record in the bucket: completed, or requested. */
    private Optional<JobStatus> recordedStatus(String jobId) {
        Optional<GenerationRequest> recorded = records.recordedRequest(jobId);
        if (recorded.isEmpty()) {
            return Optional.empty();
        }
        JobStatus.Builder status = JobStatus.newBuilder().setJobId(jobId).setRequest(recorded.get())
                .setState(EventType.EVENT_TYPE_UNSPECIFIED);
        records.recordedResult(jobId).ifPresent(completed -> status.setState(completed.getType())
                .setLastEvent(completed));
        return Optional.of(status.build());
    }
}
