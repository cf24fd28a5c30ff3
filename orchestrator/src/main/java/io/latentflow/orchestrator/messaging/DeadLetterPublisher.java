package io.latentflow.orchestrator.messaging;

import io.opentelemetry.context.Context;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/** Copies refused request records, unchanged, to latentflow.generation.requests.dlq with headers saying why. */
@ApplicationScoped
public class DeadLetterPublisher {

    @Inject
    @Channel("generation-requests-dlq")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 1024)
    Emitter<String> emitter;

    /** Sends the raw record; the returned stage completes when Kafka has acknowledged it. */
    public CompletionStage<Void> send(String key, String value, String field, String reason,
            IncomingKafkaRecordMetadata<?, ?> source) {
        List<RecordHeader> headers = new ArrayList<>();
        headers.add(header(Topics.HEADER_FAILED_FIELD, field));
        headers.add(header(Topics.HEADER_FAILED_REASON, reason));
        headers.add(header(Topics.HEADER_DEAD_LETTER_REASON, field.isEmpty() ? reason : field + ": " + reason));
        if (source != null) {
            headers.add(header(Topics.HEADER_DEAD_LETTER_TOPIC, source.getTopic()));
            headers.add(header(Topics.HEADER_DEAD_LETTER_PARTITION, Integer.toString(source.getPartition())));
            headers.add(header(Topics.HEADER_DEAD_LETTER_OFFSET, Long.toString(source.getOffset())));
        }
        OutgoingKafkaRecordMetadata.OutgoingKafkaRecordMetadataBuilder<String> record =
                OutgoingKafkaRecordMetadata.<String>builder().withHeaders(headers);
        if (key != null) {
            record.withKey(key);
        }
        CompletableFuture<Void> written = new CompletableFuture<>();
        emitter.send(Message.of(value == null ? "" : value,
                Metadata.of(record.build(), TracingMetadata.withCurrent(Context.current())),
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

    private static RecordHeader header(String name, String value) {
        return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
