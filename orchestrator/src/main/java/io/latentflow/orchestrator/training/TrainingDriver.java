package io.latentflow.orchestrator.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.latentflow.core.image.ImageTensors;
import io.latentflow.core.model.FolderTrees;
import io.latentflow.core.train.TrainingSettings;
import io.latentflow.orchestrator.config.OrchestratorConfig;
import io.latentflow.orchestrator.grpc.ServiceClients;
import io.latentflow.orchestrator.job.InvalidRequestException;
import io.latentflow.orchestrator.job.PngImages;
import io.latentflow.orchestrator.messaging.TrainingEventPublisher;
import io.latentflow.orchestrator.storage.ObjectStore;
import io.latentflow.proto.Tensors;
import io.latentflow.proto.TrainJob;
import io.latentflow.proto.TrainProgress;
import io.latentflow.proto.TrainingRequest;
import io.latentflow.proto.TrainingRun;
import io.latentflow.proto.VaeDecodeRequest;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Drives accepted runs: records {@code training/<run>/run.json}, prepares the dataset, calls Train on the service
 * that trains the run's kind and turns its progress into events, metrics rows, sample PNGs and, at the end, the
 * published model. A service that goes away mid-run (a crash, a restart) is called again until it is back, and
 * resumes from its last checkpoint; an orchestrator that goes away finds the run in run.json when Kafka redelivers
 * its request, and continues it the same way.
 */
@ApplicationScoped
public class TrainingDriver {

    private static final Logger LOG = Logger.getLogger(TrainingDriver.class);
    private static final Set<Status.Code> RETRIED = Set.of(Status.Code.UNAVAILABLE, Status.Code.UNKNOWN,
            Status.Code.INTERNAL, Status.Code.ABORTED, Status.Code.DEADLINE_EXCEEDED);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(2);
    private static final int MAX_INTERNAL_RETRIES = 3;

    @Inject
    OrchestratorConfig config;

    @Inject
    TrainingRuns runs;

    @Inject
    TrainingTracker tracker;

    @Inject
    TrainingEventPublisher events;

    @Inject
    TrainingDatasets datasets;

    @Inject
    ModelPublisher publisher;

    @Inject
    ServiceClients clients;

    @Inject
    ObjectStore store;

    private ExecutorService workers;
    private volatile boolean stopping;

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
        if (recorded != null && isEnded(recorded.getState())) {
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
            String output = train(job, settings, run, notes);
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

    /**
     * Calls Train until the service reports completion; returns the trained components' key prefix, or null when
     * the run was cancelled.
     */
    private String train(TrainJob job, TrainingSettings settings, TrainingRun.Builder run, List<String> notes) {
        String runId = job.getRequest().getRunId();
        long retryTimeout = config.training().serviceRetryTimeout().toNanos();
        long deadline = System.nanoTime() + retryTimeout;
        int internalErrors = 0;
        while (true) {
            long stepBefore = run.getStep();
            Context.CancellableContext call = Context.current().withCancellation();
            try {
                String output = call.call(() -> follow(clients.train(job), job, settings, run, notes, call));
                if (output != null || tracker.cancelRequested(runId)) {
                    return output;
                }
                throw new IllegalStateException("the training service ended the run without completing it");
            } catch (StatusRuntimeException e) {
                if (tracker.cancelRequested(runId)) {
                    return null;
                }
                if (run.getStep() != stepBefore) {
                    // the call trained before it broke: the retry bound counts from this outage, not the run's start
                    deadline = System.nanoTime() + retryTimeout;
                    internalErrors = 0;
                }
                boolean internal = e.getStatus().getCode() == Status.Code.INTERNAL;
                internalErrors += internal ? 1 : 0;
                // a connection lost mid-stream may surface as INTERNAL; a real internal error repeats itself
                if (!RETRIED.contains(e.getStatus().getCode()) || System.nanoTime() > deadline
                        || internalErrors > MAX_INTERNAL_RETRIES) {
                    throw e;
                }
                LOG.warnf("run %s: training service unavailable (%s); calling again to resume from the last "
                        + "checkpoint", runId, e.getStatus());
                pause();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                call.cancel(null);
            }
        }
    }

    private String follow(Iterator<TrainProgress> stream, TrainJob job, TrainingSettings settings,
                          TrainingRun.Builder run, List<String> notes, Context.CancellableContext call) {
        String runId = job.getRequest().getRunId();
        while (stream.hasNext()) {
            TrainProgress p = stream.next();
            notes.addAll(p.getNotesList());
            switch (p.getType()) {
                case "progress" -> {
                    run.setStep(p.getStep()).setTotalSteps(p.getTotalSteps());
                    events.publish(TrainingEvents.progress(runId, p, settings.kind() == TrainingSettings.Kind.VAE
                            ? settings.trainBatchSize() : settings.samplesPerStep()));
                }
                case "checkpoint" -> {
                    save(run.setLastCheckpoint(p.getCheckpoint()));
                    events.publish(TrainingEvents.checkpoint(runId, p.getStep(), run.getTotalSteps(),
                            p.getCheckpoint()));
                }
                case "sample" -> events.publish(TrainingEvents.sample(runId, p.getStep(), run.getTotalSteps(),
                        storeSamples(job.getRequest(), p)));
                case "completed" -> {
                    return p.getOutputPrefix();
                }
                default -> LOG.debugf("run %s: %s from the service", runId, p.getType());
            }
            if (tracker.cancelRequested(runId)) {
                call.cancel(null);
                return null;
            }
        }
        return null;
    }

    /** Sample PNGs under training/<run>/samples/<step>/: decoded through the VAE service for UNet runs. */
    private List<String> storeSamples(TrainingRequest request, TrainProgress p) {
        List<String> keys = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            // decoded images, roughly [-1, 1], as PNG pixels in [0, 1]
            NDArray images = ImageTensors.postprocess(p.hasSampleImages()
                    ? Tensors.toNDArray(p.getSampleImages(), manager)
                    : Tensors.toNDArray(clients.decode(request.getRunId(), VaeDecodeRequest.newBuilder()
                    .setModel(request.getBaseModel()).setLatents(p.getSampleLatents()).build()).getImages(), manager));
            for (int i = 0; i < images.getShape().get(0); i++) {
                String key = TrainingRuns.prefix(request.getRunId()) + "samples/" + p.getStep() + "/" + i + ".png";
                store.put(key, PngImages.encode(images, i), "image/png");
                keys.add(key);
            }
        }
        return keys;
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
        runs.save(run.setUpdatedMs(System.currentTimeMillis()).build());
    }

    static boolean isEnded(String state) {
        return "completed".equals(state) || "failed".equals(state) || "cancelled".equals(state);
    }

    private static void pause() {
        try {
            Thread.sleep(RETRY_PAUSE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the training service", e);
        }
    }
}
