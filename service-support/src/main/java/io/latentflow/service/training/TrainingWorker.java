package io.latentflow.service.training;

import ai.djl.ndarray.NDManager;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.grpc.Status;
import io.latentflow.core.model.FolderTrees;
import io.latentflow.core.model.PipelineFolder;
import io.latentflow.core.sampling.Cancellation;
import io.latentflow.core.schedule.SchedulerConfig;
import io.latentflow.core.train.TrainingSettings;
import io.latentflow.proto.TrainJob;
import io.latentflow.proto.TrainProgress;
import io.latentflow.proto.TrainingRequest;
import io.latentflow.service.config.ModelsConfig;
import io.latentflow.service.config.StoreConfig;
import io.latentflow.service.config.TrainingConfig;
import io.latentflow.service.grpc.CallStreams;
import io.latentflow.service.grpc.GrpcStatuses;
import io.latentflow.service.grpc.InvalidFieldException;
import io.latentflow.service.storage.ModelId;
import io.latentflow.service.storage.ModelStore;
import io.latentflow.service.storage.ObjectStore;
import io.latentflow.service.storage.ObjectStoreCheckpoints;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.MultiEmitter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Runs a service's TrainerService calls: one training run at a time on a dedicated thread (PyTorch records one
 * autograd graph at a time per process, so a second Train waits for the first), each from a fresh work directory,
 * streaming its progress until completed. A call for a run that has checkpoints resumes from the latest; a caller
 * that cancels its stream stops the run at its next step. Failures end the stream with a status (see
 * {@link GrpcStatuses}): INVALID_ARGUMENT "field: reason" for a bad field or setting, NOT_FOUND for an unknown base
 * model, FAILED_PRECONDITION without an object store or for an unloadable model, UNAVAILABLE when the service shuts
 * down under a run, INTERNAL with the message otherwise.
 */
public final class TrainingWorker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TrainingWorker.class);
    private static final JsonFormat.Printer SNAKE_CASE = JsonFormat.printer().preservingProtoFieldNames();
    /** Run ids are one path segment, as the orchestrator makes them. */
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    private final Set<TrainingSettings.Kind> kinds;
    private final TrainingRecipe recipe;
    private final ModelStore models;
    private final Optional<ObjectStore> store;
    private final Path workRoot;
    private final ExecutorService thread;
    private volatile String activeRun;

    /**
     * @param service names the worker thread, e.g. {@code denoiser}
     * @param kinds   the run kinds this service trains; others are refused naming {@code kind}
     */
    public TrainingWorker(String service, Set<TrainingSettings.Kind> kinds, TrainingRecipe recipe,
                          ModelsConfig models, StoreConfig store, TrainingConfig training) {
        this.kinds = Set.copyOf(kinds);
        this.recipe = recipe;
        this.models = new ModelStore(models, store, Set.of());
        this.store = ObjectStore.of(store);
        this.workRoot = training.workDir();
        this.thread = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, service + "-training");
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs (or resumes) the job's run once the runs queued before it end; the stream ends after completed. */
    public Multi<TrainProgress> train(TrainJob job) {
        return Multi.createFrom().emitter(emitter -> submit(job, emitter), BackPressureStrategy.BUFFER);
    }

    /** Stops the running run (at its next step) and drops the queued ones. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warnf("training run %s did not stop within %s", activeRun, SHUTDOWN_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void submit(TrainJob job, MultiEmitter<? super TrainProgress> emitter) {
        try {
            check(job.getRequest());
        } catch (RuntimeException e) {
            emitter.fail(GrpcStatuses.toStatus(e));
            return;
        }
        String runId = job.getRequest().getRunId();
        Caller caller = new Caller(emitter);
        String running = activeRun;
        if (running != null) {
            LOG.infof("run %s waits for run %s to end", runId, running);
        }
        try {
            thread.execute(() -> execute(job, caller));
        } catch (RejectedExecutionException e) {
            caller.fail(Status.UNAVAILABLE.withDescription("the service is shutting down").asRuntimeException());
        }
    }

    /** What can be refused before the run waits its turn. */
    private void check(TrainingRequest request) {
        TrainingSettings.Kind kind = TrainingSettings.Kind.parse(request.getKind());
        if (!kinds.contains(kind)) {
            throw new InvalidFieldException("kind", "this service trains " + kinds.stream()
                    .map(TrainingSettings.Kind::configName).sorted().collect(Collectors.joining(" and "))
                    + " runs, not " + kind.configName());
        }
        if (request.getRunId().isEmpty()) {
            throw new InvalidFieldException("run_id", "is required");
        }
        if (!RUN_ID.matcher(request.getRunId()).matches() || request.getRunId().contains("..")) {
            throw new InvalidFieldException("run_id", "'" + request.getRunId() + "' must match " + RUN_ID.pattern()
                    + " without '..'");
        }
        if (store.isEmpty()) {
            throw Status.FAILED_PRECONDITION.withDescription("training needs the object store: set the service's "
                    + "store.endpoint").asRuntimeException();
        }
    }

    private void execute(TrainJob job, Caller caller) {
        TrainingRequest request = job.getRequest();
        String runId = request.getRunId();
        if (caller.isCancelled()) {
            LOG.infof("run %s: cancelled by its caller before it started", runId);
            return;
        }
        activeRun = runId;
        Path workDir = workRoot.resolve(runId);
        long started = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager()) {
            // a run killed earlier may have left its directory behind
            FolderTrees.delete(workDir);
            createDirectories(workDir);
            ModelId baseId = models.resolve(request.getBaseModel().getName(), request.getBaseModel().getVersion());
            PipelineFolder base = PipelineFolder.open(models.completeFolder(baseId, workDir.resolve("base-model")));
            SchedulerConfig scheduler = base.has("scheduler")
                    ? SchedulerConfig.load(base.component("scheduler").resolve("scheduler_config.json"))
                    : SchedulerConfig.defaults();
            TrainingSettings settings = TrainingSettings.parse(json(request), scheduler.numTrainTimesteps());
            LOG.infof("run %s: %s training from %s, %d steps", runId, settings.kind().configName(), baseId,
                    settings.maxTrainSteps());
            ProgressEmitter progress = new ProgressEmitter(runId, caller::emit, settings.maxTrainSteps());
            TrainingContext context = new TrainingContext(job, settings, base, scheduler, store.orElseThrow(),
                    new ObjectStoreCheckpoints(store.orElseThrow(), runId), progress, manager, workDir);
            String output = recipe.prepare(context).run(caller);
            LOG.infof("run %s: completed in %d s, output at %s", runId,
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), output);
            progress.completed(output);
            caller.complete();
        } catch (RuntimeException | Error e) {
            if (caller.isCancelled()) {
                LOG.infof("run %s: stopped after its caller cancelled (%s)", runId, e);
            }
            // a run stopped by the service's shutdown continues when called again
            caller.fail(thread.isShutdown() ? Status.UNAVAILABLE.withDescription("the service is shutting down; "
                    + "call again to resume from the last checkpoint").withCause(e).asRuntimeException()
                    : GrpcStatuses.toStatus(e));
        } finally {
            activeRun = null;
            try {
                FolderTrees.delete(workDir);
            } catch (UncheckedIOException e) {
                LOG.warnf("%s", e.getMessage());
            }
        }
    }

    private static String json(TrainingRequest request) {
        try {
            return SNAKE_CASE.print(request);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("request: cannot be written as JSON: " + e.getMessage(), e);
        }
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    /**
     * The caller of one Train call, as a {@link Cancellation}: cancelled when its subscription is cancelled or, on the
     * shared HTTP port, when its HTTP/2 stream is gone (see {@link CallStreams}); nothing is written to a stream that
     * is gone.
     */
    private static final class Caller implements Cancellation {

        private final MultiEmitter<? super TrainProgress> emitter;
        private final BooleanSupplier streamGone;
        private final AtomicBoolean cancelled = new AtomicBoolean();

        /** Made on the thread that starts the call. */
        Caller(MultiEmitter<? super TrainProgress> emitter) {
            this.emitter = emitter;
            this.streamGone = CallStreams.currentCallGone();
            emitter.onTermination(() -> cancelled.set(true));
        }

        @Override
        public boolean isCancelled() {
            return cancelled.get() || streamGone.getAsBoolean();
        }

        void emit(TrainProgress message) {
            if (!streamGone.getAsBoolean()) {
                emitter.emit(message);
            }
        }

        void complete() {
            if (!streamGone.getAsBoolean()) {
                emitter.complete();
            }
        }

        void fail(Throwable status) {
            if (!streamGone.getAsBoolean()) {
                emitter.fail(status);
            }
        }
    }
}
