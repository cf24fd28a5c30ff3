package io.latentflow.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.latentflow.deploy.Endpoints;
import io.latentflow.deploy.Topics;
import io.latentflow.proto.EventType;
import io.latentflow.proto.GenerationEvent;
import io.latentflow.proto.GenerationRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Submits generation jobs as protobuf JSON records on latentflow.generation.requests (key = job id) and follows
 * their events on latentflow.generation.events until the job ends.
 */
final class GenerationJobClient implements AutoCloseable {

    private final KafkaConsumer<String, String> events;
    private final KafkaProducer<String, String> producer;
    private final String bootstrapServers;

    /**
     * Connects to Kafka and positions an events reader at the end of every partition, so that no event of a job
     * submitted afterwards is missed.
     */
    GenerationJobClient(Endpoints endpoints) {
        this.bootstrapServers = endpoints.kafkaBootstrapServers();
        this.events = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
            ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15000),
            new StringDeserializer(), new StringDeserializer());
        this.producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.MAX_BLOCK_MS_CONFIG, 15000,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30000,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15000),
            new StringSerializer(), new StringSerializer());
        try {
            List<TopicPartition> partitions = events.partitionsFor(Topics.GENERATION_EVENTS).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition()))
                .toList();
            events.assign(partitions);
            events.seekToEnd(partitions);
            partitions.forEach(events::position);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            close();
            throw new IllegalStateException("cannot reach Kafka at " + bootstrapServers
                + " (start the local stack with ./latentflow stack up, or set LATENTFLOW_KAFKA)", e);
        }
    }

    /** The JSON value of a request record: the protobuf JSON form of the request. */
    static String toJson(GenerationRequest request) {
        try {
            return JsonFormat.printer().print(request);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("request cannot be written as JSON", e);
        }
    }

    /** Parses an event record's value. */
    static GenerationEvent parseEvent(String json) throws InvalidProtocolBufferException {
        GenerationEvent.Builder event = GenerationEvent.newBuilder();
        JsonFormat.parser().ignoringUnknownFields().merge(json, event);
        return event.build();
    }

    /** Writes the request to the requests topic under its job id and waits for the broker's acknowledgement. */
    void submit(GenerationRequest request) throws InterruptedException, ExecutionException, TimeoutException {
        producer.send(new ProducerRecord<>(Topics.GENERATION_REQUESTS, request.getJobId(), toJson(request)))
            .get(60, TimeUnit.SECONDS);
    }

    /**
     * Hands every event of {@code jobId} to {@code listener} until one ends the job (completed, failed, cancelled);
     * returns that event, or empty when {@code timeout} passes first.
     */
    Optional<GenerationEvent> follow(String jobId, Duration timeout, Consumer<GenerationEvent> listener)
            throws InvalidProtocolBufferException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            for (ConsumerRecord<String, String> record : events.poll(Duration.ofMillis(500))) {
                GenerationEvent event = parseEvent(record.value());
                if (!jobId.equals(event.getJobId()) && !jobId.equals(record.key())) {
                    continue;
                }
                listener.accept(event);
                if (ends(event.getType())) {
                    return Optional.of(event);
                }
            }
        }
        return Optional.empty();
    }

    static boolean ends(EventType type) {
        return type == EventType.COMPLETED || type == EventType.FAILED || type == EventType.CANCELLED;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        events.close(Duration.ofSeconds(5));
    }
}
