package io.latentflow.deploy;

import io.latentflow.proto.Topics;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStackTest {

    @TempDir
    Path home;

    private LocalStack stack;

    private StackConfig config() {
        String host = "127.0.0.1";
        return new StackConfig(home, Path.of(System.getProperty(RepositoryLayout.STACK_RUNTIME_PROPERTY)), host,
            PortCheck.freePort(host), PortCheck.freePort(host), PortCheck.freePort(host),
            "latentflow", "latentflow-secret", "latentflow", 2);
    }

    @AfterEach
    void stopEverything() throws Exception {
        if (stack != null) {
            stack.down();
        }
    }

    @Test
    void upServesKafkaAndS3AndDownLeavesNoProcess() throws Exception {
        stack = new LocalStack(config());
        Endpoints endpoints = stack.up(Duration.ofSeconds(120));

        List<ComponentStatus> up = stack.status();
        assertEquals(List.of("kafka", "s3proxy"), up.stream().map(ComponentStatus::name).toList());
        assertTrue(up.stream().allMatch(ComponentStatus::ready), up.toString());
        assertEquals(endpoints, Endpoints.read(home.resolve("run/stack.properties")).orElseThrow());

        assertTopicsExist(endpoints);
        assertRecordRoundTrips(endpoints);
        assertObjectRoundTrips(endpoints);

        List<Long> pids = up.stream().map(status -> status.pid().getAsLong()).toList();
        Endpoints again = stack.up(Duration.ofSeconds(60));
        assertEquals(endpoints, again);
        assertEquals(pids, stack.status().stream().map(status -> status.pid().getAsLong()).toList(),
            "a second up reuses the running servers");

        assertEquals(List.of("kafka", "s3proxy"), stack.down());
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " still alive");
        }
        assertTrue(stack.status().stream().noneMatch(ComponentStatus::running));
        assertFalse(PortCheck.inUse("127.0.0.1", stack.config().kafkaPort()));
        assertFalse(PortCheck.inUse("127.0.0.1", stack.config().s3Port()));
        assertFalse(home.resolve("run/stack.properties").toFile().exists());
        assertEquals(List.of(), stack.down(), "down on a stopped stack stops nothing");
    }

    @Test
    void busyKafkaPortFailsWithTheVariableToChangeAndStartsNothing() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            StackConfig base = config();
            stack = new LocalStack(base.withPorts(busy.getLocalPort(), base.controllerPort(), base.s3Port()));
            IllegalStateException failure = assertThrows(IllegalStateException.class,
                () -> stack.up(Duration.ofSeconds(30)));
            assertTrue(failure.getMessage().contains("LATENTFLOW_KAFKA_PORT"), failure.getMessage());
            assertTrue(stack.status().stream().noneMatch(ComponentStatus::running));
        }
    }

    private static void assertTopicsExist(Endpoints endpoints) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers()))) {
            Map<String, TopicDescription> topics = admin.describeTopics(Topics.ALL).allTopicNames().get(30, TimeUnit.SECONDS);
            assertEquals(Topics.ALL.size(), topics.size());
            assertEquals(2, topics.get(Topics.GENERATION_REQUESTS).partitions().size());
            assertEquals(1, topics.get(Topics.GENERATION_REQUESTS_DLQ).partitions().size());
        }
    }

    private static void assertRecordRoundTrips(Endpoints endpoints) throws Exception {
        String value = "{\"jobId\":\"job-1\",\"prompt\":\"a red square\"}";
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.GENERATION_REQUESTS, "job-1", value)).get(30, TimeUnit.SECONDS);
        }
        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "local-stack-test",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(Topics.GENERATION_REQUESTS));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (received.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(received::add);
            }
        }
        assertEquals(1, received.size());
        assertEquals("job-1", received.get(0).key());
        assertEquals(value, received.get(0).value());
    }

    private static void assertObjectRoundTrips(Endpoints endpoints) throws Exception {
        MinioClient client = MinioClient.builder()
            .endpoint(endpoints.s3Endpoint())
            .credentials(endpoints.accessKey(), endpoints.secretKey())
            .build();
        byte[] content = "latent bytes \u2713".getBytes(StandardCharsets.UTF_8);
        client.putObject(PutObjectArgs.builder().bucket(endpoints.bucket()).object("jobs/test/hello.txt")
            .stream(new ByteArrayInputStream(content), content.length, -1).contentType("text/plain").build());
        try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(endpoints.bucket())
                .object("jobs/test/hello.txt").build())) {
            assertArrayEquals(content, in.readAllBytes());
        }
    }
}
