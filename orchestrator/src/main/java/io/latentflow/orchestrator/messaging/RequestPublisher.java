package io.latentflow.orchestrator.messaging;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.latentflow.proto.GenerationRequest;
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

/** Writes generation requests received over gRPC to latentflow.generation.requests (key = job id). */
@ApplicationScoped
public class RequestPublisher {

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();

    @Inject
    @Channel("generation-requests-out")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 1024)
    Emitter<String> emitter;

    /** Sends the request (its job id set); the returned stage completes when Kafka has acknowledged it. */
    public CompletionStage<Void> publish(GenerationRequest request) {
        String json;
        try {
            json = PRINTER.print(request);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("cannot print request of job " + request.getJobId(), e);
        }
        CompletableFuture<Void> written = new CompletableFuture<>();
        emitter.send(Message.of(json,
                Metadata.of(OutgoingKafkaRecordMetadata.<String>builder().withKey(request.getJobId()).build(),
                        TracingMetadata.withCurrent(Context.current())),
                () -> {
                    written.complete(null);
                    return CompletableFuture.completedFuture(null);
                },
                failure -> {
                    written.completeExceptionally(failure);
                    return CompletableFuture.completedFuture(null);
                }));
        return written;
    }
}
