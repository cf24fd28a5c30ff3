package io.latentflow.orchestrator.messaging;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.context.Context;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

/** Sends a record through an emitter and tells when Kafka has acknowledged (or refused) it. */
final class AcknowledgedSend {

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();

    private AcknowledgedSend() {
    }

    /** Sends {@code message} as compact protobuf JSON under record key {@code key}, with the current trace context. */
    static CompletionStage<Void> sendJson(Emitter<String> emitter, MessageOrBuilder message, String key) {
        String json;
        try {
            json = PRINTER.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print " + message.getClass().getSimpleName() + " " + key, e);
        }
        return send(emitter, json, Metadata.of(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build(),
                TracingMetadata.withCurrent(Context.current())));
    }

    /** The stage completes when the broker has acknowledged the record, exceptionally when it failed. */
    static <T> CompletionStage<Void> send(Emitter<T> emitter, T payload, Metadata metadata) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        emitter.send(Message.of(payload, metadata,
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
