package io.latentflow.orchestrator.grpc;

import io.grpc.Status;
import io.latentflow.orchestrator.api.ApiClients;
import io.latentflow.orchestrator.api.ApiKeyInterceptor;
import io.latentflow.orchestrator.api.JobLookup;
import io.latentflow.orchestrator.api.JobSubmissions;
import io.latentflow.orchestrator.job.InvalidRequestException;
import io.latentflow.orchestrator.job.JobTracker;
import io.latentflow.proto.CancelRequest;
import io.latentflow.proto.CancelResponse;
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
import java.util.function.Consumer;

/**
 * The public gRPC API: Submit and Generate write the request to latentflow.generation.requests (the same path as
 * any Kafka producer), Generate then streams the job's events until it ends; GetJob and Cancel act on any of the
 * caller's jobs, whichever orchestrator runs it (events of every job reach every orchestrator through the events
 * topic, a job's record in the bucket answers for jobs older than that, a cancel is noted in the bucket). Calls carry
 * a client's API key ({@link ApiKeyInterceptor}); a client's jobs count against its limit of concurrent jobs until
 * their final event, and another client's jobs are unknown to it ({@link JobLookup}).
 */
@GrpcService
public class GenerationGrpcService implements GenerationService {

    private final JobSubmissions submissions;
    private final JobLookup lookup;

    @Inject
    GenerationGrpcService(JobSubmissions submissions, JobLookup lookup) {
        this.submissions = submissions;
        this.lookup = lookup;
    }

    @Override
    @Blocking
    public Uni<SubmitResponse> submit(GenerationRequest request) {
        ApiClients.Client client = ApiKeyInterceptor.CLIENT.get();
        GenerationRequest job = owned(client, request);
        JobSubmissions.Submitted submitted = admitted(client, job, null);
        return Uni.createFrom().completionStage(submitted::written)
                .onFailure().transform(GenerationGrpcService::kafkaUnavailable)
                .replaceWith(SubmitResponse.newBuilder().setJobId(job.getJobId()).build());
    }

    @Override
    @Blocking
    public Multi<GenerationEvent> generate(GenerationRequest request) {
        ApiClients.Client client = ApiKeyInterceptor.CLIENT.get();
        return Multi.createFrom().emitter(emitter -> {
            GenerationRequest job;
            JobSubmissions.Submitted submitted;
            try {
                job = owned(client, request);
                submitted = admitted(client, job, event -> {
                    emitter.emit(event);
                    if (JobTracker.isTerminal(event.getType())) {
                        emitter.complete();
                    }
                });
            } catch (RuntimeException e) {
                emitter.fail(e);
                return;
            }
            emitter.onTermination(() -> JobSubmissions.closeQuietly(submitted.subscription(), job.getJobId()));
            submitted.written().whenComplete((written, failure) -> {
                if (failure != null) {
                    emitter.fail(kafkaUnavailable(failure));
                }
            });
        });
    }

    @Override
    @Blocking
    public Uni<JobStatus> getJob(GetJobRequest request) {
        String jobId = request.getJobId();
        return Uni.createFrom().item(() -> lookup.status(ApiKeyInterceptor.CLIENT.get(), jobId)
                .orElseThrow(() -> Status.NOT_FOUND.withDescription("job '" + jobId + "' is unknown")
                        .asRuntimeException()));
    }

    @Override
    @Blocking
    public Uni<CancelResponse> cancel(CancelRequest request) {
        return Uni.createFrom().item(() -> CancelResponse.newBuilder()
                .setCancelled(lookup.cancel(ApiKeyInterceptor.CLIENT.get(), request.getJobId())).build());
    }

    /** The request as the client's job; INVALID_ARGUMENT when it names another client's job id. */
    private GenerationRequest owned(ApiClients.Client client, GenerationRequest request) {
        try {
            return submissions.ownedBy(client, request);
        } catch (InvalidRequestException e) {
            throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
        }
    }

    /** Submits for the client; RESOURCE_EXHAUSTED when it has its limit of jobs running. */
    private JobSubmissions.Submitted admitted(ApiClients.Client client, GenerationRequest job,
            Consumer<GenerationEvent> events) {
        try {
            return submissions.submit(client, job, events);
        } catch (JobSubmissions.LimitReachedException e) {
            throw Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()).asRuntimeException();
        }
    }

    private static RuntimeException kafkaUnavailable(Throwable failure) {
        return Status.UNAVAILABLE.withDescription("cannot write the job to Kafka: " + failure.getMessage())
                .asRuntimeException();
    }
}
