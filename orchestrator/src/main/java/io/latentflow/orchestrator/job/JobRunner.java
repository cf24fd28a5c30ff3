package io.latentflow.orchestrator.job;

import io.latentflow.orchestrator.config.OrchestratorConfig;
import io.latentflow.orchestrator.messaging.EventPublisher;
import io.latentflow.orchestrator.storage.StorageException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Runs jobs on a fixed pool of worker threads (never on the Kafka consumer thread). Every job ends with exactly one
 * final event, completed, failed or cancelled; the returned stage completes once Kafka has that event.
 */
@ApplicationScoped
public class JobRunner {

    /** Span attribute carrying the job id on every span of a job. */
    public static final String JOB_ID_ATTRIBUTE = "latentflow.job_id";

    private static final Logger LOG = Logger.getLogger(JobRunner.class);

    private final ExecutorService workers;
    private final int workerCount;
    /** Callers of {@link #workerFree} waiting for a job to end. */
    private final List<CompletableFuture<Void>> waitingForWorker = new ArrayList<>();
    private final Map<String, Running> inProgress = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    private final CancelRequests cancels;
    private final JobExecution execution;
    private final EventPublisher events;
    private final JobTracker tracker;
    private final Tracer tracer;

    @Inject
    JobRunner(OrchestratorConfig config, JobExecution execution, EventPublisher events, JobTracker tracker,
            Tracer tracer, CancelRequests cancels, MeterRegistry meters) {
        this.cancels = cancels;
        Gauge.builder("latentflow.orchestrator.jobs.in.progress", inProgress, Map::size)
                .description("jobs queued or running on this orchestrator").register(meters);
        this.execution = execution;
        this.events = events;
        this.tracker = tracker;
        this.tracer = tracer;
        AtomicInteger count = new AtomicInteger();
        ThreadFactory threads = runnable -> {
            Thread thread = new Thread(runnable, "job-worker-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        this.workerCount = Math.max(1, config.workers());
        this.workers = Executors.newFixedThreadPool(workerCount, threads);
    }

    /**
     * Completes once fewer jobs than workers are queued or running here. The consumer takes its next record only then,
     * so that waiting jobs stay in Kafka (as consumer lag, for autoscaling, and for other orchestrators to take over
     * on a rebalance) instead of in this process.
     */
    public synchronized CompletionStage<Void> workerFree() {
        if (inProgress.size() < workerCount) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> free = new CompletableFuture<>();
        waitingForWorker.add(free);
        return free;
    }

    private void jobEnded(String jobId, Running running) {
        List<CompletableFuture<Void>> freed = List.of();
        synchronized (this) {
            inProgress.remove(jobId, running);
            if (inProgress.size() < workerCount) {
                freed = List.copyOf(waitingForWorker);
                waitingForWorker.clear();
            }
        }
        freed.forEach(free -> free.complete(null));
    }

    /**
     * Queues the job; {@code parent} is the trace context of the record that carried it. A job id already queued or
     * running here (the broker delivered its record again) is not started twice: its caller waits for the same end.
     *
     * @return completes once the job's final event is on Kafka, with the refusal when the request was found wrong
     *         while the job ran (unknown model, missing init image...), else empty
     */
    public CompletionStage<Optional<InvalidRequestException>> submit(JobSpec spec, Context parent) {
        CompletableFuture<Optional<InvalidRequestException>> ended = new CompletableFuture<>();
        Running running = new Running(spec, ended);
        Running underWay = inProgress.putIfAbsent(spec.jobId(), running);
        if (underWay != null) {
            if (!underWay.spec().sameWorkAs(spec.toRequest())) {
                InvalidRequestException reused = new InvalidRequestException("job_id", "'" + spec.jobId()
                        + "' names a job running now with another request; submit this one under a new job id");
                return events.publish(GenerationEvents.failed(spec.jobId(), reused.field(), reused.reason()))
                        .thenApply(done -> Optional.of(reused));
            }
            LOG.infof("job %s is delivered again while it runs here; it runs once", spec.jobId());
            return underWay.ended();
        }
        ended.whenComplete((done, failure) -> {
            jobEnded(spec.jobId(), running);
            cancels.forget(spec.jobId());
        });
        tracker.track(spec.jobId(), spec.toRequest());
        workers.execute(() -> {
            Span span = tracer.spanBuilder("generation.job").setParent(parent)
                    .setAttribute(JOB_ID_ATTRIBUTE, spec.jobId())
                    .setAttribute("latentflow.model", spec.modelName())
                    .startSpan();
            try (Scope ignored = span.makeCurrent()) {
                finalEvent(spec, span).whenComplete((refusal, failure) -> {
                    if (failure == null) {
                        ended.complete(refusal);
                    } else {
                        ended.completeExceptionally(failure);
                    }
                });
            } catch (RuntimeException e) {
                ended.completeExceptionally(e);
            } finally {
                span.end();
            }
        });
        return ended;
    }

    private CompletionStage<Optional<InvalidRequestException>> finalEvent(JobSpec spec, Span span) {
        String jobId = spec.jobId();
        if (cancels.cancelledNow(jobId)) {
            return events.publish(GenerationEvents.cancelled(jobId)).thenApply(done -> Optional.empty());
        }
        try {
            return execution.run(spec).thenApply(done -> Optional.empty());
        } catch (RuntimeException e) {
            if (stopping && !tracker.isCancelRequested(jobId)) {
                // the process is shutting down: no final event and no acknowledgement, so Kafka redelivers the job
                LOG.infof("job %s interrupted by shutdown; its record stays uncommitted for redelivery", jobId);
                return new CompletableFuture<>();
            }
            return failureEvent(spec, span, e);
        }
    }

    private CompletionStage<Optional<InvalidRequestException>> failureEvent(JobSpec spec, Span span,
            RuntimeException failure) {
        String jobId = spec.jobId();
        CompletionStage<Void> published;
        if (failure instanceof CancellationException) {
            LOG.infof("job %s cancelled", jobId);
            published = events.publish(GenerationEvents.cancelled(jobId));
        } else if (failure instanceof InvalidRequestException invalid) {
            return fail(span, jobId, invalid.field(), invalid.reason(), invalid).thenApply(done -> Optional.of(invalid));
        } else if (failure instanceof StageFailedException || failure instanceof StorageException) {
            published = fail(span, jobId, "", failure.getMessage(), failure);
        } else {
            published = fail(span, jobId, "", "internal error: " + failure, failure);
        }
        return published.thenApply(done -> Optional.empty());
    }

    private CompletionStage<Void> fail(Span span, String jobId, String field, String reason, Exception cause) {
        LOG.warnf(cause, "job %s failed: %s", jobId, reason);
        span.recordException(cause);
        span.setStatus(StatusCode.ERROR, reason);
        return events.publish(GenerationEvents.failed(jobId, field, reason));
    }

    /** Marks the process as stopping before any bean or channel goes away, so no job reports a shutdown as its end. */
    void onShutdown(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        stopping = true;
        tracker.stopAllAtNextStep();
    }

    @PreDestroy
    void stop() {
        stopping = true;
        workers.shutdownNow();
        try {
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A job queued or running on this process, and the stage that completes when it has ended. */
    private record Running(JobSpec spec, CompletableFuture<Optional<InvalidRequestException>> ended) {
    }
}
