package io.latentflow.orchestrator.grpc;

import io.grpc.Status;
import io.latentflow.orchestrator.job.InvalidRequestException;
import io.latentflow.orchestrator.messaging.RequestPublisher;
import io.latentflow.orchestrator.training.TrainingEvents;
import io.latentflow.orchestrator.training.TrainingIntake;
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

    private final TrainingIntake intake;
    private final RequestPublisher requests;
    private final TrainingRuns runs;
    private final TrainingTracker tracker;

    @Inject
    TrainingGrpcService(TrainingIntake intake, RequestPublisher requests, TrainingRuns runs,
            TrainingTracker tracker) {
        this.intake = intake;
        this.requests = requests;
        this.runs = runs;
        this.tracker = tracker;
    }

    @Override
    @Blocking
    public Uni<SubmitTrainingResponse> submit(TrainingRequest request) {
        TrainingIntake.Accepted accepted;
        try {
            accepted = intake.validate(request);
        } catch (InvalidRequestException e) {
            return Uni.createFrom().failure(Status.INVALID_ARGUMENT.withDescription(e.getMessage())
                    .asRuntimeException());
        }
        String runId = accepted.request().getRunId();
        return Uni.createFrom().completionStage(requests.publish(accepted.request()))
                .replaceWith(SubmitTrainingResponse.newBuilder().setRunId(runId).build());
    }

    @Override
    public Multi<TrainingEvent> watch(WatchRunRequest request) {
        String runId = request.getRunId();
        return Multi.createFrom().emitter(emitter -> {
            Runnable[] stop = new Runnable[1];
            stop[0] = tracker.watch(runId, event -> {
                emitter.emit(event);
                if (TrainingEvents.isTerminal(event.getType())) {
                    stop[0].run();
                    emitter.complete();
                }
            });
            emitter.onTermination(() -> stop[0].run());
            runs.find(runId).filter(run -> TrainingEvents.isTerminal(run.getState())).ifPresent(run -> {
                stop[0].run();
                emitter.emit(TrainingEvent.newBuilder().setRunId(runId).setType(run.getState())
                        .setStep(run.getStep()).setTotalSteps(run.getTotalSteps()).setError(run.getError())
                        .setPublished(run.getPublished()).build());
                emitter.complete();
            });
        });
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
