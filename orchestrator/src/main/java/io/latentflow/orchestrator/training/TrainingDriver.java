package io.latentflow.orchestrator.training;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.latentflow.core.model.FolderTrees;
import io.latentflow.core.train.TrainingSettings;
import io.latentflow.orchestrator.config.OrchestratorConfig;
import io.latentflow.orchestrator.job.InvalidRequestException;
import io.latentflow.orchestrator.messaging.TrainingEventPublisher;
import io.latentflow.proto.TrainJob;
import io.latentflow.proto.TrainingRequest;
import io.latentflow.proto.TrainingRun;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Drives accepted runs: records {@code training/<run>/run.json}, prepares the dataset, has the service that trains
 * the run's kind train it ({@link TrainingServiceCalls}) and, at the end, publishes the model. An orchestrator that
 * goes away finds the run in run.json when Kafka redelivers its request, and continues it from its last checkpoint.
 */
@ApplicationScoped
public class TrainingDriver {

    private static final Logger LOG = Logger.getLogger(TrainingDriver.class);

    private final OrchestratorConfig config;
    private final TrainingRuns runs;
    private final TrainingTracker tracker;
    private final TrainingEventPublisher events;
    private final TrainingDatasets datasets;
    private final ModelPublisher publisher;
    private final TrainingServiceCalls service;

    private ExecutorService workers;
    private volatile boolean stopping;

    @Inject
    TrainingDriver(OrchestratorConfig config, TrainingRuns runs, TrainingTracker tracker,
            TrainingEventPublisher events, TrainingDatasets datasets, ModelPublisher publisher,
            TrainingServiceCalls service) {
        this.config = config;
        this.runs = runs;
        this.tracker = tracker;
        this.events = events;
        this.datasets = datasets;
        this.publisher = publisher;
        this.service = service;
    }

    /**
     * Ends the stage of a run this orchestrator stopped driving because it is shutting down: the run stays as
     * recorded, its request is neither acknowledged nor refused, and Kafka redelivers it after the restart.
     */
    public static final class Interrupted extends RuntimeException {
        Interrupted(String runId) {
            super("run " + runId + " left for the next start of the orchestrator");
        }
    }

    private synchronized ExecutorService workers() {
        if (workers == null) {
            workers = Executors.newFixedThreadPool(config.training().workers(), r -> {
                Thread t = new Thread(r, "training-run");
                t.setDaemon(true);
                return t;
            });
        }
        return workers;
    }

    @PreDestroy
    void stop() {
        stopping = true;
        if (workers != null) {
            workers.shutdownNow();
        }
    }

    /**
     * Runs an accepted run (or continues it from its record); the stage completes once its final event is written,
     * at once when the record says it has already ended or it is running here already.
     */
    public CompletionStage<Void> submit(TrainingIntake.Accepted accepted) {
        String runId = accepted.request().getRunId();
        TrainingRun recorded = runs.find(runId).orElse(null);
        if (recorded != null && TrainingEvents.isTerminal(recorded.getState())) {
            LOG.infof("run %s has already ended (%s): nothing to do", runId, recorded.getState());
            return CompletableFuture.completedFuture(null);
        }
        if (!tracker.start(runId)) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.runAsync(() -> {
            try {
                drive(accepted, recorded);
            } finally {
                tracker.end(runId);
            }
            if (stopping) {
                throw new Interrupted(runId);
            }
        }, workers());
    }

    private void drive(TrainingIntake.Accepted accepted, TrainingRun recorded) {
        TrainingRequest request = accepted.request();
        TrainingSettings settings = accepted.settings();
        String runId = request.getRunId();
        long now = System.currentTimeMillis();
        TrainingRun.Builder run = recorded != null ? recorded.toBuilder().setAttempt(recorded.getAttempt() + 1)
                : TrainingRun.newBuilder().setRunId(runId).setRequest(request).setCreatedMs(now)
                .setTotalSteps(settings.maxTrainSteps()).setAttempt(1);
        Path work = Path.of(config.training().workDir()).resolve(runId);
        List<String> notes = new ArrayList<>();
        try {
            if (recorded == null) {
                save(run.setState("accepted"));
                events.publish(TrainingEvents.accepted(runId, settings.maxTrainSteps())).toCompletableFuture().join();
            } else {
                LOG.infof("run %s continues (attempt %d) from its record", runId, run.getAttempt());
            }
            save(run.setState("preparing"));
            if (publisher.exists(request.getOutputModel())) {
                throw new InvalidRequestException("output_model", "models/" + request.getOutputModel().getName() + "/"
                        + request.getOutputModel().getVersion() + "/ already exists");
            }
            TrainingDatasets.Prepared prepared = datasets.prepare(request, settings, work);
            TrainJob job = TrainJob.newBuilder().setRequest(request).addAllCaptions(prepared.captions())
                    .addAllImageKeys(prepared.imageKeys()).setLatentsKey(prepared.latentsKey())
                    .setEmbeddingsKey(prepared.embeddingsKey()).build();
            save(run.setState("running"));
            String output = service.train(job, settings, run, notes);
            if (output == null) {
                save(run.setState("cancelled"));
                events.publish(TrainingEvents.cancelled(runId, run.getStep())).toCompletableFuture().join();
                return;
            }
            publisher.publish(request, output);
            save(run.setState("completed").setPublished(request.getOutputModel()));
            events.publish(TrainingEvents.completed(runId, run.getStep(), request.getOutputModel(), notes))
                    .toCompletableFuture().join();
        } catch (RuntimeException e) {
            if (stopping) {
                LOG.infof("run %s stopped by the shutdown at step %d; it continues after the restart", runId,
                        run.getStep());
            } else {
                fail(run, e);
            }
        } finally {
            FolderTrees.delete(work);
        }
    }

    /** Records and announces the failure a run ended with, naming the field when the failure has one. */
    private void fail(TrainingRun.Builder run, RuntimeException e) {
        if (e instanceof InvalidRequestException invalid) {
            fail(run, invalid.field(), invalid.reason());
        } else if (e instanceof StatusRuntimeException status) {
            String description = status.getStatus().getDescription() == null ? status.getStatus().getCode().name()
                    : status.getStatus().getDescription();
            String field = status.getStatus().getCode() == Status.Code.INVALID_ARGUMENT && description.contains(": ")
                    ? description.substring(0, description.indexOf(": ")) : "";
            fail(run, field, field.isEmpty() ? description : description.substring(field.length() + 2));
        } else {
            LOG.errorf(e, "run %s failed", run.getRunId());
            fail(run, "", e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private void fail(TrainingRun.Builder run, String field, String reason) {
        LOG.warnf("run %s failed: %s%s", run.getRunId(), field.isEmpty() ? "" : field + ": ", reason);
        try {
            save(run.setState("failed").setError(field.isEmpty() ? reason : field + ": " + reason));
        } catch (RuntimeException e) {
            LOG.errorf(e, "cannot record the failure of run %s", run.getRunId());
        }
        events.publish(TrainingEvents.failed(run.getRunId(), field, reason)).toCompletableFuture().join();
    }

    private void save(TrainingRun.Builder run) {
        runs.save(run);
    }
}
