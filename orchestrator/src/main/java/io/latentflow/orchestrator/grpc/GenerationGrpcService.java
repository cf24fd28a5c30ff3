package io.latentflow.orchestrator.grpc;

import io.grpc.Status;
import io.latentflow.orchestrator.api.ApiClients;
import io.latentflow.orchestrator.api.ApiKeyInterceptor;
import io.latentflow.orchestrator.job.CancelRequests;
import io.latentflow.orchestrator.job.JobRecords;
import io.latentflow.orchestrator.job.JobTracker;
import io.latentflow.orchestrator.messaging.RequestPublisher;
import io.latentflow.proto.CancelRequest;
import io.latentflow.proto.CancelResponse;
import io.latentflow.proto.EventType;
import io.latentflow.proto.GenerationEvent;
import io.latentflow.proto.GenerationRequest;
import io.latentflow.proto.GenerationService;
import io.latentflow.proto.GetJobRequest;
import io.latentflow.proto.JobStatus;
import io.latentflow.proto.SubmitResponse;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The public gRPC API: Submit and Generate write the request to latentflow.generation.requests (the same path as
 * any Kafka producer), Generate then streams the job's events until it ends; GetJob and Cancel act on any job,
 * whichever orchestrator runs it (events of every job reach every orchestrator through the events topic, a job's
 * record in the bucket answers for jobs older than that, a cancel is noted in the bucket). Calls carry a client's
 * API key ({@link ApiKeyInterceptor}); a client's jobs count against its limit of concurrent jobs until their final
 * event.
 */
@GrpcService
public class GenerationGrpcService implements GenerationService {

    private static final Logger LOG = Logger.getLogger(GenerationGrpcService.class);

    private final RequestPublisher requests;
    private final JobTracker tracker;
    private final ApiClients clients;
    private final JobRecords records;
    private final CancelRequests cancels;

    @Inject
    GenerationGrpcService(RequestPublisher requests, JobTracker tracker, ApiClients clients, JobRecords records,
            CancelRequests cancels) {
        this.requests = requests;
        this.tracker = tracker;
        this.clients = clients;
        this.records = records;
        this.cancels = cancels;
    }

    @Override
    public Uni<SubmitResponse> submit(GenerationRequest request) {
        GenerationRequest job = withJobId(request);
        admit(job.getJobId());
        tracker.track(job.getJobId(), job);
        return Uni.createFrom().completionStage(() -> requests.publish(job))
                .onFailure().transform(e -> Status.UNAVAILABLE
                        .withDescription("cannot write the job to Kafka: " + e.getMessage()).asRuntimeException())
                .replaceWith(SubmitResponse.newBuilder().setJobId(job.getJobId()).build());
    }

    @Override
    public Multi<GenerationEvent> generate(GenerationRequest request) {
        GenerationRequest job = withJobId(request);
        String jobId = job.getJobId();
        admit(jobId);
        return Multi.createFrom().emitter(emitter -> {
            AutoCloseable subscription = tracker.subscribe(jobId, event -> {
                emitter.emit(event);
                if (JobTracker.isTerminal(event.getType())) {
                    emitter.complete();
                }
            });
            emitter.onTermination(() -> {
                try {
                    subscription.close();
                } catch (Exception e) {
                    LOG.debugf(e, "closing the event subscription of job %s", jobId);
                }
            });
            tracker.track(jobId, job);
            requests.publish(job).whenComplete((written, failure) -> {
                if (failure != null) {
                    emitter.fail(Status.UNAVAILABLE
                            .withDescription("cannot write the job to Kafka: " + failure.getMessage())
                            .asRuntimeException());
                }
            });
        });
    }

    @Override
    @Blocking
    public Uni<JobStatus> getJob(GetJobRequest request) {
        String jobId = request.getJobId();
        return Uni.createFrom().item(() -> tracker.find(jobId)
                .map(job -> {
                    JobStatus.Builder status = JobStatus.newBuilder().setJobId(job.jobId());
                    job.request().ifPresent(status::setRequest);
                    job.lastEvent().ifPresentOrElse(
                            event -> status.setState(event.getType()).setLastEvent(event),
                            () -> status.setState(EventType.EVENT_TYPE_UNSPECIFIED));
                    return status.build();
                })
                .or(() -> recordedStatus(jobId))
                .orElseThrow(() -> Status.NOT_FOUND.withDescription("job '" + jobId + "' is unknown")
                        .asRuntimeException()));
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

    @Override
    @Blocking
    public Uni<CancelResponse> cancel(CancelRequest request) {
        return Uni.createFrom().item(() -> CancelResponse.newBuilder()
                .setCancelled(cancels.request(request.getJobId())).build());
    }

    /**
     * Counts the job against the calling client's limit of concurrent jobs until its final event; RESOURCE_EXHAUSTED
     * when the client has that many running.
     */
    private void admit(String jobId) {
        ApiClients.Client client = ApiKeyInterceptor.CLIENT.get();
        if (!clients.tryStart(client, jobId)) {
            throw Status.RESOURCE_EXHAUSTED.withDescription("client " + client.name() + " has "
                    + client.maxConcurrentJobs() + " jobs running, its limit; submit again when one has ended")
                    .asRuntimeException();
        }
        AutoCloseable[] subscription = new AutoCloseable[1];
        subscription[0] = tracker.subscribe(jobId, event -> {
            if (JobTracker.isTerminal(event.getType())) {
                clients.finished(client, jobId);
                try {
                    subscription[0].close();
                } catch (Exception e) {
                    LOG.debugf(e, "closing the quota subscription of job %s", jobId);
                }
            }
        });
    }

    private static GenerationRequest withJobId(GenerationRequest request) {
        return request.getJobId().isEmpty()
                ? request.toBuilder().setJobId(UUID.randomUUID().toString()).build()
                : request;
    }
}
