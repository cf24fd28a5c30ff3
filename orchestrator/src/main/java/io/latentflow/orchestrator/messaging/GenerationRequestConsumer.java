package io.latentflow.orchestrator.messaging;

import io.latentflow.orchestrator.job.GenerationEvents;
import io.latentflow.orchestrator.job.JobIntake;
import io.latentflow.orchestrator.job.JobRunner;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Consumes latentflow.generation.requests. Valid jobs go to the {@link JobRunner}'s workers and their record is
 * acknowledged when the job has ended (so a job is never lost to a crash: its offset is committed only then); the next
 * record is taken when a worker is free, so jobs beyond the workers wait in Kafka;
 * refused records get a {@code failed} event and a copy on the dead-letter topic, and the consumer goes on.
 */
@ApplicationScoped
public class GenerationRequestConsumer {

    private static final Logger LOG = Logger.getLogger(GenerationRequestConsumer.class);

    private final JobIntake intake;
    private final JobRunner runner;
    private final EventPublisher events;
    private final DeadLetterPublisher deadLetters;
    private final Tracer tracer;

    @Inject
    GenerationRequestConsumer(JobIntake intake, JobRunner runner, EventPublisher events,
            DeadLetterPublisher deadLetters, Tracer tracer) {
        this.intake = intake;
        this.runner = runner;
        this.events = events;
        this.deadLetters = deadLetters;
        this.tracer = tracer;
    }

    @Incoming("generation-requests")
    public CompletionStage<Void> consume(Message<byte[]> message) {
        @SuppressWarnings("unchecked")
        IncomingKafkaRecordMetadata<String, byte[]> record =
                message.getMetadata(IncomingKafkaRecordMetadata.class).orElse(null);
        String key = record == null ? null : record.getKey();
        Context parent = TracingMetadata.fromMessage(message)
                .map(TracingMetadata::getCurrentContext)
                .orElse(Context.current());
        JobIntake.Outcome outcome;
        try {
            Optional<String> text = RecordText.utf8(message.getPayload());
            outcome = text.isPresent() || message.getPayload() == null ? intake.accept(key, text.orElse(null))
                    : new JobIntake.Rejected(Optional.ofNullable(key), "",
                            "the record is not UTF-8 text; a GenerationRequest as protobuf JSON is expected");
        } catch (RuntimeException e) {
            outcome = new JobIntake.Rejected(Optional.ofNullable(key), "", "cannot read request: " + e);
        }
        if (outcome instanceof JobIntake.Accepted accepted) {
            runner.submit(accepted.spec(), parent).whenComplete((refusal, failure) -> {
                if (failure == null) {
                    // a request found wrong while its job ran is copied to the DLQ like one refused on arrival
                    refusal.map(refused -> deadLetters.send(key, message.getPayload(), refused.field(),
                                    refused.reason(), record))
                            .orElse(CompletableFuture.completedFuture(null))
                            .whenComplete((copied, notCopied) -> {
                                if (notCopied != null) {
                                    LOG.errorf(notCopied, "cannot copy the refused job %s to the DLQ",
                                            accepted.spec().jobId());
                                }
                                message.ack();
                            });
                } else {
                    LOG.errorf(failure, "job %s ended without a final event", accepted.spec().jobId());
                    message.nack(failure);
                }
            });
            return runner.workerFree();
        }
        return reject((JobIntake.Rejected) outcome, key, message, record, parent);
    }

    private CompletionStage<Void> reject(JobIntake.Rejected rejected, String key, Message<byte[]> message,
            IncomingKafkaRecordMetadata<String, byte[]> record, Context parent) {
        Span span = tracer.spanBuilder("generation.reject").setParent(parent).startSpan();
        try (Scope ignored = span.makeCurrent()) {
            rejected.jobId().ifPresent(id -> span.setAttribute(JobRunner.JOB_ID_ATTRIBUTE, id));
            span.setAttribute("latentflow.failed_field", rejected.field());
            span.setStatus(StatusCode.ERROR, rejected.reason());
            LOG.warnf("refused request record (key %s): %s: %s", key, rejected.field(), rejected.reason());
            CompletionStage<Void> event = rejected.jobId()
                    .map(id -> events.publish(GenerationEvents.failed(id, rejected.field(), rejected.reason())))
                    .orElse(CompletableFuture.completedFuture(null));
            CompletionStage<Void> deadLetter =
                    deadLetters.send(key, message.getPayload(), rejected.field(), rejected.reason(), record);
            return event.thenCombine(deadLetter, (a, b) -> (Void) null)
                    .handle((done, failure) -> {
                        if (failure != null) {
                            LOG.errorf(failure, "cannot write the refusal of record with key %s", key);
                        }
                        return null;
                    })
                    .thenCompose(done -> message.ack());
        } finally {
            span.end();
        }
    }
}
