package io.latentflow.orchestrator.grpc;

import io.grpc.Status;
import io.latentflow.orchestrator.api.TrainingEventStreams;
import io.latentflow.orchestrator.api.TrainingSubmissions;
import io.latentflow.orchestrator.job.InvalidRequestException;
import io.latentflow.orchestrator.training.TrainingRuns;
import io.latentflow.orchestrator.training.TrainingTracker;
import io.latentflow.proto.CancelRunRequest;
import io.latentflow.proto.CancelRunResponse;
import io.latentflow.proto.GetRunRequest;
import io.latentflow.proto.SubmitTrainingResponse;
import io.latentflow.proto.TrainingEvent;
import io.latentflow.proto.TrainingRequest;
import io.latentflow.proto.TrainingRun;
import io.latentflow.proto.TrainingService;
import io.latentflow.proto.WatchRunRequest;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

/**
 * The public training API: Submit validates and writes the run to latentflow.training.requests, Watch streams the
 * run's events until it ends, GetRun reads run.json, Cancel stops a run running here.
 */
@GrpcService
public class TrainingGrpcService implements TrainingService {

    private final TrainingSubmissions submissions;
    private final TrainingEventStreams streams;
    private final TrainingRuns runs;
    private final TrainingTracker tracker;

    @Inject
    TrainingGrpcService(TrainingSubmissions submissions, TrainingEventStreams streams, TrainingRuns runs,
            TrainingTracker tracker) {
        this.submissions = submissions;
        this.streams = streams;
        this.runs = runs;
        this.tracker = tracker;
    }

    @Override
    @Blocking
    public Uni<SubmitTrainingResponse> submit(TrainingRequest request) {
        TrainingSubmissions.Submitted submitted;
        try {
            submitted = submissions.submit(request);
        } catch (InvalidRequestException e) {
            return Uni.createFrom().failure(Status.INVALID_ARGUMENT.withDescription(e.getMessage())
                    .asRuntimeException());
        }
        return Uni.createFrom().completionStage(submitted.written())
                .replaceWith(SubmitTrainingResponse.newBuilder().setRunId(submitted.runId()).build());
    }

    @Override
    public Multi<TrainingEvent> watch(WatchRunRequest request) {
        return streams.follow(request.getRunId());
    }

    @Override
    @Blocking
    public Uni<TrainingRun> getRun(GetRunRequest request) {
        return runs.find(request.getRunId()).map(run -> Uni.createFrom().item(run))
                .orElseGet(() -> Uni.createFrom().failure(Status.NOT_FOUND
                        .withDescription("no run " + request.getRunId()).asRuntimeException()));
    }

    @Override
    public Uni<CancelRunResponse> cancel(CancelRunRequest request) {
        return Uni.createFrom().item(CancelRunResponse.newBuilder().setRunId(request.getRunId())
                .setCancelled(tracker.requestCancel(request.getRunId())).build());
    }
}
