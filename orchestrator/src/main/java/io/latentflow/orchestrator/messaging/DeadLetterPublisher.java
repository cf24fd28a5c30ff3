package io.latentflow.orchestrator.messaging;

import io.latentflow.proto.Topics;
import io.opentelemetry.context.Context;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * Copies refused request records, byte for byte with their key, to latentflow.generation.requests.dlq (or, for
 * training runs, latentflow.training.requests.dlq) with headers saying why, on which field and when.
 */
@ApplicationScoped
public class DeadLetterPublisher {

    @Inject
    @Channel("generation-requests-dlq")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 1024)
    Emitter<byte[]> emitter;

    @Inject
    @Channel("training-requests-dlq")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 1024)
    Emitter<byte[]> trainingEmitter;

    /** Sends the raw record; the returned stage completes when Kafka has acknowledged it. */
    public CompletionStage<Void> send(String key, byte[] value, String field, String reason,
            IncomingKafkaRecordMetadata<?, ?> source) {
        return send(emitter, key, value, field, reason, source);
    }

    /** Sends a raw training record to the training dead-letter topic. */
    public CompletionStage<Void> sendTraining(String key, byte[] value, String field, String reason,
            IncomingKafkaRecordMetadata<?, ?> source) {
        return send(trainingEmitter, key, value, field, reason, source);
    }

    private static CompletionStage<Void> send(Emitter<byte[]> emitter, String key, byte[] value, String field,
            String reason, IncomingKafkaRecordMetadata<?, ?> source) {
        List<RecordHeader> headers = new ArrayList<>();
        headers.add(header(Topics.HEADER_FAILED_FIELD, field));
        headers.add(header(Topics.HEADER_FAILED_REASON, reason));
        headers.add(header(Topics.HEADER_FAILED_AT, Long.toString(System.currentTimeMillis())));
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
        return AcknowledgedSend.send(emitter, value == null ? new byte[0] : value,
                Metadata.of(record.build(), TracingMetadata.withCurrent(Context.current())));
    }

    private static RecordHeader header(String name, String value) {
        return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
