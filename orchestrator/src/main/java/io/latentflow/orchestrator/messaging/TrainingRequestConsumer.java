package io.latentflow.orchestrator.messaging;

import io.latentflow.orchestrator.training.TrainingDriver;
import io.latentflow.orchestrator.training.TrainingEvents;
import io.latentflow.orchestrator.training.TrainingIntake;
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
 * Consumes latentflow.training.requests. A valid run goes to the {@link TrainingDriver} and its record is
 * acknowledged when the run has ended, so a crash of the orchestrator redelivers it and the run continues from its
 * record; a refused record gets a {@code failed} event naming the field and a copy on the dead-letter topic.
 */
@ApplicationScoped
public class TrainingRequestConsumer {

    private static final Logger LOG = Logger.getLogger(TrainingRequestConsumer.class);

    private final TrainingIntake intake;
    private final TrainingDriver driver;
    private final TrainingEventPublisher events;
    private final DeadLetterPublisher deadLetters;

    @Inject
    TrainingRequestConsumer(TrainingIntake intake, TrainingDriver driver, TrainingEventPublisher events,
            DeadLetterPublisher deadLetters) {
        this.intake = intake;
        this.driver = driver;
        this.events = events;
        this.deadLetters = deadLetters;
    }

    @Incoming("training-requests")
    public CompletionStage<Void> consume(Message<byte[]> message) {
        @SuppressWarnings("unchecked")
        IncomingKafkaRecordMetadata<String, byte[]> record =
                message.getMetadata(IncomingKafkaRecordMetadata.class).orElse(null);
        String key = record == null ? null : record.getKey();
        Optional<String> text = RecordText.utf8(message.getPayload());
        TrainingIntake.Outcome outcome = text.isPresent() || message.getPayload() == null
                ? intake.accept(key, text.orElse(null))
                : new TrainingIntake.Rejected(Optional.ofNullable(key).filter(k -> !k.isBlank()), "",
                        "the record is not UTF-8 text; a TrainingRequest as protobuf JSON is expected");
        if (outcome instanceof TrainingIntake.Accepted accepted) {
            driver.submit(accepted).whenComplete((done, failure) -> {
                if (failure == null) {
                    message.ack();
                } else if (failure.getCause() instanceof TrainingDriver.Interrupted
                        || failure instanceof TrainingDriver.Interrupted) {
                    LOG.infof("run %s: record left unacknowledged for redelivery after the restart",
                            accepted.request().getRunId());
                } else {
                    LOG.errorf(failure, "run %s ended without a final event", accepted.request().getRunId());
                    message.nack(failure);
                }
            });
            return CompletableFuture.completedFuture(null);
        }
        TrainingIntake.Rejected rejected = (TrainingIntake.Rejected) outcome;
        LOG.warnf("refused training record (key %s): %s: %s", key, rejected.field(), rejected.reason());
        CompletionStage<Void> event = rejected.runId()
                .map(id -> events.publish(TrainingEvents.failed(id, rejected.field(), rejected.reason())))
                .orElse(CompletableFuture.completedFuture(null));
        return event.thenCombine(deadLetters.sendTraining(key, message.getPayload(), rejected.field(), rejected.reason(),
                        record), (a, b) -> (Void) null)
                .handle((done, failure) -> {
                    if (failure != null) {
                        LOG.errorf(failure, "cannot write the refusal of training record with key %s", key);
                    }
                    return null;
                })
                .thenCompose(done -> message.ack());
    }
}
