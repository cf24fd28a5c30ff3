package io.latentflow.orchestrator.api;

import io.latentflow.orchestrator.job.JobRecords;
import io.latentflow.orchestrator.job.JobTracker;
import io.latentflow.proto.EventType;
import io.latentflow.proto.GenerationRequest;
import io.latentflow.proto.JobStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/**
 * A job's status for every public API, whichever orchestrator runs it: from the events this process has heard
 * (events of every job reach every orchestrator through the events topic), else from the job's record in the bucket.
 */
@ApplicationScoped
public class JobLookup {

    private final JobTracker tracker;
    private final JobRecords records;

    @Inject
    JobLookup(JobTracker tracker, JobRecords records) {
        this.tracker = tracker;
        this.records = records;
    }

    /** The job's request, state and latest event, or empty when no orchestrator has heard of it. */
    public Optional<JobStatus> status(String jobId) {
        return tracker.find(jobId)
                .map(JobLookup::status)
                .or(() -> recordedStatus(jobId));
    }

    /** The status of a job this process tracks. */
    public static JobStatus status(JobTracker.TrackedJob job) {
        JobStatus.Builder status = JobStatus.newBuilder().setJobId(job.jobId());
        job.request().ifPresent(status::setRequest);
        job.lastEvent().ifPresentOrElse(
                event -> status.setState(event.getType()).setLastEvent(event),
                () -> status.setState(EventType.EVENT_TYPE_UNSPECIFIED));
        return status.build();
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
