package io.latentflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.latentflow.deploy.Endpoints;
import io.latentflow.deploy.LocalStack;
import io.latentflow.deploy.PortCheck;
import io.latentflow.deploy.RepositoryLayout;
import io.latentflow.deploy.StackConfig;
import io.latentflow.proto.Topics;
import io.latentflow.proto.Completed;
import io.latentflow.proto.EventType;
import io.latentflow.proto.GenerationEvent;
import io.latentflow.proto.GenerationRequest;
import io.latentflow.proto.ImageResult;
import io.latentflow.proto.Progress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives the job client against a real broker, answering the job the way the orchestrator does. */
class GenerationJobClientTest {

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
    void submittedJobIsOneJsonRecordKeyedByJobIdAndFollowStopsAtItsCompletedEvent() throws Exception {
        GenerationRequest request = GenerationRequest.newBuilder().setJobId("job-42").setPrompt("a cat").setSteps(2).build();
        List<GenerationEvent> seen = new ArrayList<>();
        Optional<GenerationEvent> end;
        try (GenerationJobClient client = new GenerationJobClient(endpoints);
             KafkaProducer<String, String> orchestrator = producer()) {
            client.submit(request);
            ConsumerRecord<String, String> record = readOneRequest();
            assertEquals("job-42", record.key());
            GenerationRequest.Builder received = GenerationRequest.newBuilder();
            JsonFormat.parser().merge(record.value(), received);
            assertEquals(request, received.build());

            send(orchestrator, event("other-job", EventType.COMPLETED));
            send(orchestrator, event("job-42", EventType.ACCEPTED));
            send(orchestrator, GenerationEvent.newBuilder().setJobId("job-42").setType(EventType.PROGRESS)
                .setProgress(Progress.newBuilder().setStep(1).setTotalSteps(2)).build());
            send(orchestrator, GenerationEvent.newBuilder().setJobId("job-42").setType(EventType.COMPLETED)
                .setCompleted(Completed.newBuilder().setSeed(9).addImages(ImageResult.newBuilder()
                    .setKey("jobs/job-42/images/0.png").setWidth(64).setHeight(64).setSizeBytes(321).setSeed(9)))
                .build());
            send(orchestrator, event("job-42", EventType.PROGRESS));
            end = client.follow("job-42", Duration.ofSeconds(60), seen::add);
        }
        assertEquals(List.of(EventType.ACCEPTED, EventType.PROGRESS, EventType.COMPLETED),
            seen.stream().map(GenerationEvent::getType).toList());
        assertEquals("jobs/job-42/images/0.png", end.orElseThrow().getCompleted().getImages(0).getKey());
        assertTrue(EventPrinter.describe(end.get()).contains("jobs/job-42/images/0.png (64x64, 321 bytes, seed 9)"));
    }

    @Test
    void followGivesUpAfterItsTimeoutWhenTheJobNeverEnds() throws Exception {
        try (GenerationJobClient client = new GenerationJobClient(endpoints)) {
            assertTrue(client.follow("silent-job", Duration.ofSeconds(2), event -> { }).isEmpty());
        }
    }

    private static GenerationEvent event(String jobId, EventType type) {
        return GenerationEvent.newBuilder().setJobId(jobId).setType(type).build();
    }

    private static KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers()),
            new StringSerializer(), new StringSerializer());
    }

    private static void send(KafkaProducer<String, String> producer, GenerationEvent event) throws Exception {
        producer.send(new ProducerRecord<>(Topics.GENERATION_EVENTS, event.getJobId(),
            JsonFormat.printer().print(event))).get(30, TimeUnit.SECONDS);
    }

    private static ConsumerRecord<String, String> readOneRequest() {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "job-client-test",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(Topics.GENERATION_REQUESTS));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    return record;
                }
            }
        }
        throw new AssertionError("no request record within 60 s");
    }
}
