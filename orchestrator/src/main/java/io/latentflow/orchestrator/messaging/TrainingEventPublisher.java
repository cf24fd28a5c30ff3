package io.latentflow.orchestrator.messaging;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.latentflow.orchestrator.training.TrainingEvents;
import io.latentflow.orchestrator.training.TrainingRuns;
import io.latentflow.orchestrator.training.TrainingTracker;
import io.latentflow.proto.TrainingEvent;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * Publishes training events to latentflow.training.events (key = run id), appends them to the run's metrics.jsonl
 * and hands them to the in-process {@link TrainingTracker} for Watch streams.
 */
@ApplicationScoped
public class TrainingEventPublisher {

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final int FLUSH_EVERY_PROGRESS_ROWS = 10;

    @Inject
    @Channel("training-events")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 16384)
    Emitter<String> emitter;

    @Inject
    TrainingTracker tracker;

    @Inject
    TrainingRuns runs;

    /** Sends the event; the returned stage completes when Kafka has acknowledged the record. */
    public CompletionStage<Void> publish(TrainingEvent event) {
        String json;
        try {
            json = PRINTER.print(event);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print event of run " + event.getRunId(), e);
        }
        boolean flush = !TrainingEvents.PROGRESS.equals(event.getType())
                || event.getStep() % FLUSH_EVERY_PROGRESS_ROWS == 0;
        runs.appendMetrics(event, flush);
        Metadata metadata = Metadata.of(OutgoingKafkaRecordMetadata.<String>builder().withKey(event.getRunId()).build());
        CompletionStage<Void> written = AcknowledgedSend.send(emitter, json, metadata);
        tracker.onEvent(event);
        if (TrainingEvents.isTerminal(event.getType())) {
            runs.release(event.getRunId());
        }
        return written;
    }
}
