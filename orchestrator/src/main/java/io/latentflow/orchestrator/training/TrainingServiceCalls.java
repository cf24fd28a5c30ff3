package io.latentflow.orchestrator.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.latentflow.core.image.ImageTensors;
import io.latentflow.core.train.TrainingSettings;
import io.latentflow.orchestrator.config.OrchestratorConfig;
import io.latentflow.orchestrator.grpc.ServiceClients;
import io.latentflow.orchestrator.job.PngImages;
import io.latentflow.orchestrator.messaging.TrainingEventPublisher;
import io.latentflow.orchestrator.storage.ObjectStore;
import io.latentflow.proto.Tensors;
import io.latentflow.proto.TrainJob;
import io.latentflow.proto.TrainProgress;
import io.latentflow.proto.TrainingRequest;
import io.latentflow.proto.TrainingRun;
import io.latentflow.proto.VaeDecodeRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The Train call of a run on the service that trains its kind: its progress stream becomes events, checkpoints in
 * run.json and sample PNGs. A service that goes away mid-run (a crash, a restart) is called again until it is back,
 * and resumes from its last checkpoint.
 */
@ApplicationScoped
public class TrainingServiceCalls {

    private static final Logger LOG = Logger.getLogger(TrainingServiceCalls.class);
    private static final Set<Status.Code> RETRIED = Set.of(Status.Code.UNAVAILABLE, Status.Code.UNKNOWN,
            Status.Code.INTERNAL, Status.Code.ABORTED, Status.Code.DEADLINE_EXCEEDED);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(2);
    private static final int MAX_INTERNAL_RETRIES = 3;

    private final OrchestratorConfig config;
    private final TrainingRuns runs;
    private final TrainingTracker tracker;
    private final TrainingEventPublisher events;
    private final ServiceClients clients;
    private final ObjectStore store;

    @Inject
    TrainingServiceCalls(OrchestratorConfig config, TrainingRuns runs, TrainingTracker tracker,
            TrainingEventPublisher events, ServiceClients clients, ObjectStore store) {
        this.config = config;
        this.runs = runs;
        this.tracker = tracker;
        this.events = events;
        this.clients = clients;
        this.store = store;
    }

    /**
     * Calls Train until the service reports completion; returns the trained components' key prefix, or null when
     * the run was cancelled.
     */
    String train(TrainJob job, TrainingSettings settings, TrainingRun.Builder run, List<String> notes) {
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
                    runs.save(run.setLastCheckpoint(p.getCheckpoint()));
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

    private static void pause() {
        try {
            Thread.sleep(RETRY_PAUSE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the training service", e);
        }
    }
}
