package io.latentflow.orchestrator.job;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The spans and timings of one job: every piece of work runs in a span carrying {@value JobRunner#JOB_ID_ATTRIBUTE},
 * and a call to a service is timed under its stage (text encoder, denoiser, VAE), its failure reported as a
 * {@link StageFailedException} naming that stage.
 */
final class JobStages {

    private final Tracer tracer;
    private final String jobId;
    private final Map<String, Long> nanosByStage = new ConcurrentHashMap<>();

    JobStages(Tracer tracer, String jobId) {
        this.tracer = tracer;
        this.jobId = jobId;
    }

    String jobId() {
        return jobId;
    }

    /** Runs {@code body} in a span {@code name}; an exception is recorded on the span and thrown on. */
    <T> T span(String name, Supplier<T> body) {
        return span(spanBuilder(name).startSpan(), body);
    }

    /** Runs {@code body} in {@code span}, which it ends. */
    <T> T span(Span span, Supplier<T> body) {
        try (Scope ignored = span.makeCurrent()) {
            return body.get();
        } catch (RuntimeException e) {
            span.recordException(e);
            throw e;
        } finally {
            span.end();
        }
    }

    /** Work started elsewhere (a write on a worker thread), in a span {@code name} until it completes. */
    <T> CompletableFuture<T> span(String name, CompletableFuture<T> work) {
        Span span = spanBuilder(name).startSpan();
        return work.whenComplete((done, failure) -> {
            if (failure != null) {
                span.recordException(failure);
            }
            span.end();
        });
    }

    /** A call to the service of {@code stage} in a span {@code name}, timed under the stage. */
    <T> T call(String name, String stage, Supplier<T> body) {
        return call(spanBuilder(name).startSpan(), stage, body);
    }

    /** A call in an already started span (for spans with attributes of their own). */
    <T> T call(Span span, String stage, Supplier<T> body) {
        long start = System.nanoTime();
        try {
            return span(span, () -> {
                try {
                    return body.get();
                } catch (StageFailedException | InvalidRequestException | CancellationException e) {
                    throw e;
                } catch (RuntimeException e) {
                    throw new StageFailedException(stage, e);
                }
            });
        } finally {
            nanosByStage.merge(stage, System.nanoTime() - start, Long::sum);
        }
    }

    /** A span of this job, to be given attributes of its own. */
    SpanBuilder spanBuilder(String name) {
        return tracer.spanBuilder(name).setAttribute(JobRunner.JOB_ID_ATTRIBUTE, jobId);
    }

    /** Milliseconds spent in calls of {@code stage}. */
    long millis(String stage) {
        return nanosByStage.getOrDefault(stage, 0L) / 1_000_000;
    }
}
