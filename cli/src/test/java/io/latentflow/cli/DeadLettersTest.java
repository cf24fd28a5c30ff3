package io.latentflow.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.latentflow.deploy.Endpoints;
import io.latentflow.deploy.LocalStack;
import io.latentflow.deploy.PortCheck;
import io.latentflow.deploy.RepositoryLayout;
import io.latentflow.deploy.StackConfig;
import io.latentflow.proto.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads and replays dead letters on a real broker, bytes and headers as the orchestrator writes them. */
class DeadLettersTest {

    @TempDir
    static Path home;

    private static LocalStack stack;
    private static Endpoints endpoints;

    @BeforeAll
    static void startStack() throws Exception {
        String host = "127.0.0.1";
        stack = new LocalStack(new StackConfig(home, Path.of(System.getProperty(RepositoryLayout.STACK_RUNTIME_PROPERTY)),
            host, PortCheck.freePort(host), PortCheck.freePort(host), PortCheck.freePort(host),
            "latentflow", "latentflow-secret", "latentflow", 1));
        endpoints = stack.up(Duration.ofSeconds(120));
    }

    @AfterAll
    static void stopStack() throws Exception {
        stack.down();
    }

    @Test
    void aRefusedRecordIsListedAsReceivedAndReplayedUnchangedUnderItsKey() throws Exception {
        byte[] notText = new byte[512];
        new Random(3).nextBytes(notText);
        notText[0] = (byte) 0xff;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.GENERATION_REQUESTS_DLQ, "job-7", notText);
            record.headers().add(Topics.HEADER_FAILED_FIELD, "".getBytes(StandardCharsets.UTF_8));
            record.headers().add(Topics.HEADER_FAILED_REASON, "not text".getBytes(StandardCharsets.UTF_8));
            record.headers().add(Topics.HEADER_FAILED_AT, "1796130000000".getBytes(StandardCharsets.UTF_8));
            producer.send(record).get();
        }

        DeadLetters deadLetters = new DeadLetters(endpoints, false);
        List<DeadLetters.DeadLetter> letters = deadLetters.all();
        assertEquals(1, letters.size());
        DeadLetters.DeadLetter letter = letters.get(0);
        assertEquals("job-7", letter.key());
        assertArrayEquals(notText, letter.value());
        assertEquals("not text", letter.header(Topics.HEADER_FAILED_REASON));
        assertArrayEquals(notText, deadLetters.find(letter.id()).orElseThrow().value());
        assertTrue(deadLetters.find("9:9").isEmpty());

        deadLetters.replay(letter, letter.value());
        ConsumerRecord<String, byte[]> replayed = readOne(Topics.GENERATION_REQUESTS);
        assertEquals("job-7", replayed.key());
        assertArrayEquals(notText, replayed.value());
    }

    private static ConsumerRecord<String, byte[]> readOne(String topic) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            assertEquals(1, records.size(), "one record on " + topic);
            return records.get(0);
        }
    }
}
