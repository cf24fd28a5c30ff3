package io.latentflow.orchestrator.messaging;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.latentflow.proto.GenerationRequest;
import io.latentflow.proto.TrainingRequest;
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

/**
 * Writes requests received over gRPC to their topics: generation jobs to latentflow.generation.requests (key = job
 * id), training runs to latentflow.training.requests (key = run id).
 */
@ApplicationScoped
public class RequestPublisher {

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();

    @Inject
    @Channel("generation-requests-out")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 1024)
    Emitter<String> emitter;

    @Inject
    @Channel("training-requests-out")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 1024)
    Emitter<String> trainingEmitter;

    /** Sends a training run (its run id set); the returned stage completes when Kafka has acknowledged it. */
    public CompletionStage<Void> publish(TrainingRequest request) {
        String json;
        try {
            json = PRINTER.print(request);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("cannot print request of run " + request.getRunId(), e);
        }
        return AcknowledgedSend.send(trainingEmitter, json, Metadata.of(
                OutgoingKafkaRecordMetadata.<String>builder().withKey(request.getRunId()).build(),
                TracingMetadata.withCurrent(Context.current())));
    }

    /** Sends the request (its job id set); the returned stage completes when Kafka has acknowledged it. */
    public CompletionStage<Void> publish(GenerationRequest request) {
        String json;
        try {
            json = PRINTER.print(request);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("cannot print request of job " + request.getJobId(), e);
        }
        return AcknowledgedSend.send(emitter, json, Metadata.of(
                OutgoingKafkaRecordMetadata.<String>builder().withKey(request.getJobId()).build(),
                TracingMetadata.withCurrent(Context.current())));
    }
}
