package io.latentflow.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.latentflow.deploy.Endpoints;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
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
 * One kind of job as a client sees it on Kafka: requests go as protobuf JSON records keyed by job id to one topic,
 * events of type {@code E} come back on another until one ends the job.
 */
final class JobChannel<E extends Message> implements AutoCloseable {

    private final String requestsTopic;
    private final E eventPrototype;
    private final Function<E, String> jobIdOf;
    private final Predicate<E> ends;
    private final KafkaConsumer<String, String> events;
    private final KafkaProducer<String, String> producer;

    /**
     * Connects to Kafka and positions the events reader at the end of every partition of {@code eventsTopic}, so
     * that no event of a job submitted afterwards is missed.
     */
    JobChannel(Endpoints endpoints, String requestsTopic, String eventsTopic, E eventPrototype,
               Function<E, String> jobIdOf, Predicate<E> ends) {
        this.requestsTopic = requestsTopic;
        this.eventPrototype = eventPrototype;
        this.jobIdOf = jobIdOf;
        this.ends = ends;
        String bootstrapServers = endpoints.kafkaBootstrapServers();
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
            List<TopicPartition> partitions = events.partitionsFor(eventsTopic).stream()
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

    /** Writes {@code request} to the requests topic under {@code jobId} and waits for the broker's acknowledgement. */
    void send(String jobId, Message request) throws InterruptedException, ExecutionException, TimeoutException {
        producer.send(new ProducerRecord<>(requestsTopic, jobId, ProtoJson.print(request))).get(60, TimeUnit.SECONDS);
    }

    /**
     * Hands every event of {@code jobId} to {@code listener} until one ends the job; returns that event, or empty
     * when {@code timeout} passes first.
     */
    Optional<E> follow(String jobId, Duration timeout, Consumer<? super E> listener)
            throws InvalidProtocolBufferException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            for (ConsumerRecord<String, String> record : events.poll(Duration.ofMillis(500))) {
                E event = parse(record.value());
                if (!jobId.equals(jobIdOf.apply(event)) && !jobId.equals(record.key())) {
                    continue;
                }
                listener.accept(event);
                if (ends.test(event)) {
                    return Optional.of(event);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Waits until every job in {@code jobIds} has ended, handing each ending event to {@code listener} as it
     * arrives; returns the jobs still running when {@code timeout} passed (empty: all ended).
     */
    Set<String> awaitEnds(Set<String> jobIds, Duration timeout, Consumer<? super E> listener)
            throws InvalidProtocolBufferException {
        Set<String> running = new HashSet<>(jobIds);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!running.isEmpty() && System.nanoTime() - deadline < 0) {
            for (ConsumerRecord<String, String> record : events.poll(Duration.ofMillis(100))) {
                E event = parse(record.value());
                if (ends.test(event) && running.remove(jobIdOf.apply(event))) {
                    listener.accept(event);
                }
            }
        }
        return running;
    }

    @SuppressWarnings("unchecked")
    private E parse(String json) throws InvalidProtocolBufferException {
        return (E) ProtoJson.merge(json, eventPrototype.newBuilderForType()).build();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        events.close(Duration.ofSeconds(5));
    }
}
