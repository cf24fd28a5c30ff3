package io.latentflow.orchestrator.messaging;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.latentflow.orchestrator.job.JobTracker;
import io.latentflow.proto.GenerationEvent;
import io.opentelemetry.context.Context;
import io.smallrye.reactive.messaging.TracingMetadata;
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

/** Publishes job events to latentflow.generation.events (key = job id) and to the in-process {@link JobTracker}. */
@ApplicationScoped
public class EventPublisher {

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();

    @Inject
    @Channel("generation-events")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 16384)
    Emitter<String> emitter;

    @Inject
    JobTracker tracker;

    /** Sends the event; the returned stage completes when Kafka has acknowledged the record. */
    public CompletionStage<Void> publish(GenerationEvent event) {
        String json;
        try {
            json = PRINTER.print(event);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print event of job " + event.getJobId(), e);
        }
        Metadata metadata = Metadata.of(
                OutgoingKafkaRecordMetadata.<String>builder().withKey(event.getJobId()).build(),
                TracingMetadata.withCurrent(Context.current()));
        CompletionStage<Void> written = AcknowledgedSend.send(emitter, json, metadata);
        tracker.onEvent(event);
        return written;
    }
}
