package io.latentflow.cli;

import io.latentflow.deploy.Endpoints;
import io.latentflow.proto.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The dead-letter topic of generation or training requests: its records as the orchestrator copied them (the
 * refused bytes and key, headers saying why), and replaying one onto the requests topic once its cause is fixed.
 */
final class DeadLetters {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(15);

    /** One refused record: where it sits on the dead-letter topic, its key, its bytes and its headers. */
    record DeadLetter(int partition, long offset, String key, byte[] value, Map<String, String> headers) {

        /** {@code partition:offset}, how the commands name a record. */
        String id() {
            return partition + ":" + offset;
        }

        String header(String name) {
            return headers.getOrDefault(name, "");
        }
    }

    private final Endpoints endpoints;
    private final String deadLetterTopic;
    private final String requestsTopic;

    /** The generation requests' dead letters, or the training requests' ones. */
    DeadLetters(Endpoints endpoints, boolean training) {
        this.endpoints = endpoints;
        this.deadLetterTopic = training ? Topics.TRAINING_REQUESTS_DLQ : Topics.GENERATION_REQUESTS_DLQ;
        this.requestsTopic = training ? Topics.TRAINING_REQUESTS : Topics.GENERATION_REQUESTS;
    }

    String topic() {
        return deadLetterTopic;
    }

    /** Every record on the dead-letter topic now, partition by partition, in offset order. */
    List<DeadLetter> all() {
        List<DeadLetter> letters = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) READ_TIMEOUT.toMillis()),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(deadLetterTopic).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    letters.add(new DeadLetter(record.partition(), record.offset(), record.key(), record.value(),
                            headers(record)));
                }
            }
        }
        letters.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
                : Long.compare(a.offset(), b.offset()));
        return letters;
    }

    /** The record {@code partition:offset}, if the topic has it. */
    Optional<DeadLetter> find(String id) {
        return all().stream().filter(letter -> letter.id().equals(id)).findFirst();
    }

    /** Sends {@code value} under the record's key to the requests topic, as a producer would send a new request. */
    void replay(DeadLetter letter, byte[] value) throws InterruptedException, ExecutionException, TimeoutException {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) READ_TIMEOUT.toMillis()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(requestsTopic, letter.key(), value))
                    .get(READ_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    String requestsTopic() {
        return requestsTopic;
    }

    private static Map<String, String> headers(ConsumerRecord<String, byte[]> record) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8));
        }
        return headers;
    }
}
