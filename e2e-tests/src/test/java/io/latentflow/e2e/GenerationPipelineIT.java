package io.latentflow.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.latentflow.deploy.LatentflowService;
import io.latentflow.deploy.LocalApiKeys;
import io.latentflow.deploy.ServiceInstance;
import io.latentflow.deploy.ServiceLauncher;
import io.latentflow.proto.CancelRequest;
import io.latentflow.proto.EventType;
import io.latentflow.proto.GenerationEvent;
import io.latentflow.proto.GenerationRequest;
import io.latentflow.proto.GenerationServiceGrpc;
import io.latentflow.proto.GetJobRequest;
import io.latentflow.proto.ImageResult;
import io.latentflow.proto.JobStatus;
import io.latentflow.proto.ModelRef;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Generation through the real system: Kafka broker, S3 server, the three model services and the orchestrator, each
 * its own process, with the shipped tiny model (models/tiny-sd/1, 64x64 images).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GenerationPipelineIT {

    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(3);
    private static final int LONG_JOB_STEPS = 500;
    private static final int RESUMED_JOB_STEPS = 300;
    /** With denoising_end 0.8 the base runs the 8 steps with t >= 200 of tiny-sd's schedule, the refiner the last 2. */
    private static final int REFINED_JOB_STEPS = 10;
    /** The samplers whose resumption keeps state beyond the latents (history, noise), one chaos job each. */
    private static final List<String> CHAOS_SAMPLERS = List.of("ddpm", "ddim", "euler-a", "dpmpp-2m");
    /**
     * Steps of each chaos job: enough that the burst is still sampling at the last kill, though the jobs run on while
     * a service they do not need at the moment (the VAE) restarts, for seconds, with every service's steps fast.
     */
    private static final int CHAOS_STEPS = 250;
    /** Progress events of the burst between two kills. */
    private static final int CHAOS_STEPS_BETWEEN_KILLS = 20;
    private static final Set<EventType> JOB_ENDS = Set.of(EventType.COMPLETED, EventType.FAILED, EventType.CANCELLED);
    private static final ModelRef TINY_SD = ModelRef.newBuilder().setName("tiny-sd").setVersion("1").build();
    private static final Set<String> SERVICE_NAMES = Set.of("latentflow-orchestrator",
            "latentflow-text-encoder-service", "latentflow-denoiser-service", "latentflow-vae-service");
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final ObjectMapper JSON = new ObjectMapper();

    private RunningSystem system;
    private ManagedChannel channel;
    private String grpcJobId;
    private String kafkaImageKey;

    @BeforeAll
    void start() throws Exception {
        system = RunningSystem.start();
        Runtime.getRuntime().addShutdownHook(new Thread(system::close));
        channel = system.orchestratorChannel();
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (system != null) {
            system.close();
        }
    }

    @Test
    @Order(1)
    void kafkaJobProducesProgressAndAPngOfTheRequestedSize() throws Exception {
        String jobId = "e2e-kafka-" + UUID.randomUUID();
        GenerationRequest request = GenerationRequest.newBuilder()
                .setModel(TINY_SD).setPrompt("a red square on a blue background")
                .setWidth(64).setHeight(64).setSteps(4).setSeed(7).setGuidanceScale(5f).build();
        long startNanos = System.nanoTime();
        system.send(jobId, PRINTER.print(request));

        List<GenerationEvent> events = awaitEnd(jobId);
        long elapsedMs = (System.nanoTime() - startNanos) / 1_000_000;
        GenerationEvent last = events.get(events.size() - 1);
        assertEquals(EventType.COMPLETED, last.getType(), () -> "events of " + jobId + ": " + events
                + "\norchestrator log:\n" + system.logTail(LatentflowService.ORCHESTRATOR));
        assertEquals(EventType.ACCEPTED, events.get(0).getType());
        List<GenerationEvent> progress = ofType(events, EventType.PROGRESS);
        assertEquals(List.of(1, 2, 3, 4), progress.stream().map(e -> e.getProgress().getStep()).toList());
        progress.forEach(e -> assertEquals(4, e.getProgress().getTotalSteps()));

        String checkpoint = progress.get(3).getProgress().getLatentsKey();
        assertEquals("jobs/" + jobId + "/latents/step-4.safetensors", checkpoint);
        assertTrue(system.object(checkpoint).isPresent(), "latents checkpoint " + checkpoint + " is in the bucket");
        assertTrue(system.object("jobs/" + jobId + "/job.json").isPresent(), "job.json is in the bucket");

        assertEquals(7L, last.getCompleted().getSeed());
        assertEquals(1, last.getCompleted().getImagesCount());
        assertImage(last.getCompleted().getImages(0), "jobs/" + jobId + "/images/0.png", 64, 64, 7L);
        kafkaImageKey = last.getCompleted().getImages(0).getKey();
        System.out.printf("kafka job %s: %d ms from record to completed event; timings %s%n",
                jobId, elapsedMs, last.getCompleted().getTimings().toString().replace('\n', ' '));
    }

    @Test
    @Order(2)
    void generateOverGrpcStreamsProgressAndTheResult() throws Exception {
        GenerationRequest request = GenerationRequest.newBuilder()
                .setModel(TINY_SD).setPrompt("a green circle").setNegativePrompt("blurry")
                .setWidth(64).setHeight(32).setSteps(3).setSeed(11).setNumImages(2).build();
        List<GenerationEvent> streamed = new ArrayList<>();
        Iterator<GenerationEvent> stream = GenerationServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(JOB_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                .generate(request);
        stream.forEachRemaining(streamed::add);

        assertFalse(streamed.isEmpty());
        grpcJobId = streamed.get(0).getJobId();
        assertFalse(grpcJobId.isEmpty(), "Generate assigns a job id");
        GenerationEvent last = streamed.get(streamed.size() - 1);
        assertEquals(EventType.COMPLETED, last.getType(), () -> "streamed: " + streamed);
        assertEquals(EventType.ACCEPTED, streamed.get(0).getType());
        assertEquals(List.of(1, 2, 3),
                ofType(streamed, EventType.PROGRESS).stream().map(e -> e.getProgress().getStep()).toList());
        assertEquals(2, last.getCompleted().getImagesCount());
        assertImage(last.getCompleted().getImages(0), "jobs/" + grpcJobId + "/images/0.png", 64, 32, 11L);
        assertImage(last.getCompleted().getImages(1), "jobs/" + grpcJobId + "/images/1.png", 64, 32, 12L);

        System.out.printf("gRPC job %s (2 images, 3 steps): timings %s%n",
                grpcJobId, last.getCompleted().getTimings().toString().replace('\n', ' '));
        JobStatus status = GenerationServiceGrpc.newBlockingStub(channel)
                .getJob(GetJobRequest.newBuilder().setJobId(grpcJobId).build());
        assertEquals(EventType.COMPLETED, status.getState());
        assertEquals("a green circle", status.getRequest().getPrompt());
    }

    @Test
    @Order(3)
    void invalidJobsFailNamingTheFieldAndGoToTheDeadLetterTopic() throws Exception {
        String prefix = "e2e-invalid-" + UUID.randomUUID() + "-";
        Map<String, String> invalid = Map.of(
                prefix + "steps", "{\"prompt\":\"a cat\",\"steps\":0}",
                prefix + "width", "{\"prompt\":\"a cat\",\"width\":100}",
                prefix + "sampler", "{\"prompt\":\"a cat\",\"sampler\":\"no-such-sampler\"}",
                prefix + "json", "{\"prompt\": \"a cat\", \"steps\": ");
        for (Map.Entry<String, String> record : invalid.entrySet()) {
            system.send(record.getKey(), record.getValue());
        }
        String validId = prefix + "valid";
        system.send(validId, PRINTER.print(GenerationRequest.newBuilder()
                .setModel(TINY_SD).setPrompt("a yellow star").setSteps(2).setSeed(3).build()));

        for (Map.Entry<String, String> record : invalid.entrySet()) {
            String jobId = record.getKey();
            String field = jobId.substring(prefix.length());
            GenerationEvent failed = awaitEnd(jobId).get(0);
            assertEquals(EventType.FAILED, failed.getType(), failed::toString);
            assertEquals(field, failed.getFailure().getField(), failed::toString);
            assertFalse(failed.getFailure().getReason().isBlank());

            TopicWatcher.Received deadLetter = Poll.until("dead letter of " + jobId, JOB_TIMEOUT,
                    () -> system.deadLetters.matching(r -> jobId.equals(r.key())).stream().findFirst());
            assertEquals(record.getValue(), deadLetter.value(), "the raw record goes to the dead-letter topic");
            assertEquals(field, deadLetter.headers().get("latentflow-failed-field"));
            assertEquals(failed.getFailure().getReason(), deadLetter.headers().get("latentflow-failed-reason"));
            assertEquals("latentflow.generation.requests", deadLetter.headers().get("dead-letter-topic"));
        }
        List<GenerationEvent> valid = awaitEnd(validId);
        assertEquals(EventType.COMPLETED, valid.get(valid.size() - 1).getType(), valid::toString);

        // bytes that are not text, and a request found wrong only while its job runs, reach the DLQ as received
        byte[] notText = new byte[4096];
        new Random(7).nextBytes(notText);
        notText[0] = (byte) 0xff;
        byte[] unknownModel = "{\"prompt\":\"a cat\",\"model\":{\"name\":\"no-such-model\"}}"
                .getBytes(StandardCharsets.UTF_8);
        for (Map.Entry<String, byte[]> record : Map.of(prefix + "bytes", notText, prefix + "model", unknownModel)
                .entrySet()) {
            system.sendBytes(record.getKey(), record.getValue());
            GenerationEvent failed = awaitEnd(record.getKey()).get(0);
            assertEquals(EventType.FAILED, failed.getType(), failed::toString);
            TopicWatcher.Received deadLetter = Poll.until("dead letter of " + record.getKey(), JOB_TIMEOUT,
                    () -> system.deadLetters.matching(r -> record.getKey().equals(r.key())).stream().findFirst());
            assertArrayEquals(record.getValue(), deadLetter.bytes(), "the record's bytes, unchanged");
            assertEquals(failed.getFailure().getField(), deadLetter.headers().get("latentflow-failed-field"));
            assertTrue(Long.parseLong(deadLetter.headers().get("latentflow-failed-at")) > 0);
        }
    }

    @Test
    @Order(4)
    void aJobsTraceSpansTheOrchestratorAndAllThreeServices() {
        assertNotNull(grpcJobId, "the gRPC job ran");
        String jobId = grpcJobId;
        Map<String, Set<String>> servicesByTrace = Poll.until("one trace of job " + jobId + " with spans of "
                + SERVICE_NAMES, Duration.ofSeconds(60), () -> {
                    Map<String, Set<String>> found = system.traces.byTrace().entrySet().stream()
                            .collect(Collectors.toMap(Map.Entry::getKey, entry -> entry.getValue().stream()
                                    .filter(span -> jobId.equals(span.attributes().get("latentflow.job_id")))
                                    .map(OtlpTraceReceiver.ReceivedSpan::serviceName)
                                    .collect(Collectors.toSet())));
                    return found.values().stream().anyMatch(names -> names.containsAll(SERVICE_NAMES))
                            ? Optional.of(found) : Optional.empty();
                });
        long complete = servicesByTrace.values().stream().filter(names -> names.containsAll(SERVICE_NAMES)).count();
        assertEquals(1, complete, "exactly one trace holds the whole job: " + servicesByTrace);
    }

    @Test
    @Order(4)
    void everyServiceAnswersHealthAndPrometheusMetricsWithTheAutoscalingSignals() throws Exception {
        for (LatentflowService service : LatentflowService.values()) {
            HttpResponse<String> ready = readiness(service);
            assertEquals(200, ready.statusCode(), service + " readiness: " + ready.body());
            String metrics = system.services.metrics(ServiceInstance.of(service));
            assertTrue(metrics.contains("jvm_memory_used_bytes"), service + " serves Prometheus metrics");
        }
        // the jobs of the tests before this one ran steps and UNet passes
        String orchestrator = system.services.metrics(ServiceInstance.of(LatentflowService.ORCHESTRATOR));
        assertTrue(RunningSystem.metric(orchestrator, "latentflow_orchestrator_steps_total") > 0, "steps counted");
        assertTrue(orchestrator.contains("latentflow_orchestrator_jobs_in_progress"), "jobs in progress");
        assertTrue(orchestrator.contains("kafka_consumer_fetch_manager_records_lag_max"), "consumer lag");
        String denoiser = system.services.metrics(ServiceInstance.of(LatentflowService.DENOISER));
        assertTrue(RunningSystem.metric(denoiser, "latentflow_denoiser_queue_seconds_count") > 0, "queue time of calls");
        assertTrue(RunningSystem.metric(denoiser, "latentflow_denoiser_compute_seconds_count") > 0, "UNet pass time");
        assertTrue(denoiser.contains("latentflow_denoiser_queue_depth"), "calls waiting");
    }


    @Test
    @Order(5)
    void cancelStopsARunningJobBetweenSteps() throws Exception {
        GenerationServiceGrpc.GenerationServiceBlockingStub stub = GenerationServiceGrpc.newBlockingStub(channel);
        String jobId = stub.submit(GenerationRequest.newBuilder()
                .setModel(TINY_SD).setPrompt("a long walk").setSteps(LONG_JOB_STEPS).setSeed(5).build()).getJobId();
        GenerationEvent first = Poll.until("first progress of " + jobId, JOB_TIMEOUT,
                () -> events(jobId).stream().filter(e -> e.getType() != EventType.ACCEPTED).findFirst());
        assertEquals(EventType.PROGRESS, first.getType(), first::toString);
        assertTrue(stub.cancel(CancelRequest.newBuilder().setJobId(jobId).build()).getCancelled());

        List<GenerationEvent> events = awaitEnd(jobId);
        assertEquals(EventType.CANCELLED, events.get(events.size() - 1).getType());
        List<GenerationEvent> progress = ofType(events, EventType.PROGRESS);
        int stepsRun = progress.size();
        assertTrue(stepsRun < LONG_JOB_STEPS, "stopped after " + stepsRun + " of " + LONG_JOB_STEPS + " steps");
        if (stepsRun > 1) {
            long spanMs = progress.get(stepsRun - 1).getTimestampMs() - progress.get(0).getTimestampMs();
            System.out.printf("cancelled job %s after %d steps; %.1f ms per step (one 64x64 image, guidance on)%n",
                    jobId, stepsRun, spanMs / (double) (stepsRun - 1));
        }
        assertFalse(stub.cancel(CancelRequest.newBuilder().setJobId(jobId).build()).getCancelled(),
                "an ended job cannot be cancelled again");
    }

    @Test
    @Order(6)
    void imageToImageRunsTheStrengthWindowFromAnImageInTheBucket() throws Exception {
        assertNotNull(kafkaImageKey, "the Kafka job stored an image");
        GenerationServiceGrpc.GenerationServiceBlockingStub stub = GenerationServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(JOB_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        GenerationEvent notAnInput = lastEvent(stub, GenerationRequest.newBuilder().setModel(TINY_SD).setPrompt("p")
                .setInitImage(kafkaImageKey).build());
        assertEquals(EventType.FAILED, notAnInput.getType(), notAnInput::toString);
        assertEquals("init_image", notAnInput.getFailure().getField(), "another job's result is not an input");
        String initKey = "inputs/" + UUID.randomUUID() + "/start.png";
        system.put(initKey, system.object(kafkaImageKey).orElseThrow(), "image/png");
        List<GenerationEvent> streamed = new ArrayList<>();
        stub.generate(GenerationRequest.newBuilder()
                .setModel(TINY_SD).setPrompt("the same square, at dusk").setInitImage(initKey)
                .setStrength(0.5f).setSteps(6).setSeed(21).build()).forEachRemaining(streamed::add);

        GenerationEvent last = streamed.get(streamed.size() - 1);
        assertEquals(EventType.COMPLETED, last.getType(), () -> "streamed: " + streamed);
        List<GenerationEvent> progress = ofType(streamed, EventType.PROGRESS);
        assertEquals(List.of(1, 2, 3), progress.stream().map(e -> e.getProgress().getStep()).toList(),
                "strength 0.5 of 6 steps runs the last 3");
        progress.forEach(e -> assertEquals(3, e.getProgress().getTotalSteps()));
        String jobId = last.getJobId();
        assertImage(last.getCompleted().getImages(0), "jobs/" + jobId + "/images/0.png", 64, 64, 21L);

        GenerationEvent failed = lastEvent(stub, GenerationRequest.newBuilder().setModel(TINY_SD).setPrompt("p")
                .setInitImage(initKey).setWidth(32).setHeight(32).build());
        assertEquals(EventType.FAILED, failed.getType(), failed::toString);
        assertEquals("width", failed.getFailure().getField(), "a width beside an init image must be the image's");

        GenerationEvent tooCostly = lastEvent(stub, GenerationRequest.newBuilder().setModel(TINY_SD).setPrompt("p")
                .setWidth(2048).setHeight(2048).setSteps(1000).setNumImages(8).build());
        assertEquals(EventType.FAILED, tooCostly.getType(), tooCostly::toString);
        assertEquals("steps", tooCostly.getFailure().getField(), "the cost bound stops a job before it runs");
    }

    @Test
    @Order(7)
    void inpaintingRepaintsTheMaskedRegionOfAnImageInTheBucket() throws Exception {
        assertNotNull(kafkaImageKey, "the Kafka job stored an image");
        String maskKey = "inputs/" + UUID.randomUUID() + "/right-half.png";
        system.put(maskKey, TestImages.rightHalfMask(64, 64), "image/png");
        GenerationServiceGrpc.GenerationServiceBlockingStub stub = GenerationServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(JOB_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        List<GenerationEvent> streamed = new ArrayList<>();
        String initKey = "inputs/" + UUID.randomUUID() + "/start.png";
        system.put(initKey, system.object(kafkaImageKey).orElseThrow(), "image/png");
        stub.generate(GenerationRequest.newBuilder()
                .setModel(TINY_SD).setPrompt("a tree on the right").setInitImage(initKey).setMask(maskKey)
                .setSteps(4).setSeed(13).build()).forEachRemaining(streamed::add);

        GenerationEvent last = streamed.get(streamed.size() - 1);
        assertEquals(EventType.COMPLETED, last.getType(), () -> "streamed: " + streamed);
        assertEquals(List.of(1, 2, 3, 4), ofType(streamed, EventType.PROGRESS).stream()
                .map(e -> e.getProgress().getStep()).toList(), "inpainting runs the whole schedule by default");
        assertImage(last.getCompleted().getImages(0), "jobs/" + last.getJobId() + "/images/0.png", 64, 64, 13L);

        String smallMask = "inputs/" + UUID.randomUUID() + "/small.png";
        system.put(smallMask, TestImages.rightHalfMask(32, 32), "image/png");
        List<GenerationEvent> refused = new ArrayList<>();
        stub.generate(GenerationRequest.newBuilder()
                .setModel(TINY_SD).setPrompt("p").setInitImage(initKey).setMask(smallMask).build())
                .forEachRemaining(refused::add);
        GenerationEvent failed = refused.get(refused.size() - 1);
        assertEquals(EventType.FAILED, failed.getType(), failed::toString);
        assertEquals("mask", failed.getFailure().getField());
    }

    @Test
    @Order(8)
    void aJobInterruptedByARestartResumesFromItsLastCheckpoint() throws Exception {
        String jobId = "e2e-resume-" + UUID.randomUUID();
        // an ancestral sampler: fresh noise every step, so only an exact resume gives the uninterrupted image
        GenerationRequest job = GenerationRequest.newBuilder().setModel(TINY_SD).setPrompt("a lighthouse")
                .setSteps(RESUMED_JOB_STEPS).setSampler("euler-a").setSeed(99).build();
        system.send(jobId, PRINTER.print(job.toBuilder().setJobId(jobId).build()));
        Poll.until("a checkpoint of " + jobId + " past step 10", JOB_TIMEOUT, () -> events(jobId).stream()
                .filter(e -> e.getType() == EventType.PROGRESS && e.getProgress().getStep() > 12)
                .findFirst());

        system.services.process(LatentflowService.ORCHESTRATOR).stop(ServiceLauncher.STOP_GRACE);
        int stoppedAfter = ofType(events(jobId), EventType.PROGRESS).stream()
                .mapToInt(e -> e.getProgress().getStep()).max().orElseThrow();
        assertTrue(stoppedAfter < RESUMED_JOB_STEPS, "the job was still running when the orchestrator stopped");
        system.services.start(LatentflowService.ORCHESTRATOR);
        system.services.awaitReady(LatentflowService.ORCHESTRATOR, RunningSystem.START_TIMEOUT);

        List<GenerationEvent> events = Poll.until("completion of " + jobId + " after the restart", JOB_TIMEOUT,
                () -> {
                    List<GenerationEvent> sofar = events(jobId);
                    return sofar.stream().anyMatch(e -> JOB_ENDS.contains(e.getType()))
                            ? Optional.of(sofar) : Optional.empty();
                });
        assertEquals(List.of(EventType.COMPLETED), events.stream().map(GenerationEvent::getType)
                .filter(JOB_ENDS::contains).toList(), () -> "events: " + events
                + "\norchestrator log:\n" + system.logTail(LatentflowService.ORCHESTRATOR));
        int secondAccept = IntStream.range(0, events.size())
                .filter(i -> events.get(i).getType() == EventType.ACCEPTED).max().orElseThrow();
        assertTrue(secondAccept > 0, "the redelivered job was accepted again");
        int resumedAt = events.get(secondAccept + 1).getProgress().getStep();
        // the shutdown checkpoints the step where the job was (unless it came between that step and the next)
        assertTrue(resumedAt == stoppedAfter + 1 || (resumedAt - 1) % 10 == 0 && resumedAt <= stoppedAfter + 1,
                "resumes at step " + resumedAt + " after stopping at step " + stoppedAfter);
        System.out.printf("job %s stopped after step %d, resumed at step %d%n", jobId, stoppedAfter, resumedAt);

        GenerationEvent uninterrupted = lastEvent(GenerationServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(JOB_TIMEOUT.toSeconds(), TimeUnit.SECONDS), job);
        assertEquals(EventType.COMPLETED, uninterrupted.getType(), uninterrupted::toString);
        GenerationEvent completed = events.stream().filter(e -> e.getType() == EventType.COMPLETED).findFirst()
                .orElseThrow();
        assertArrayEquals(system.object(uninterrupted.getCompleted().getImages(0).getKey()).orElseThrow(),
                system.object(completed.getCompleted().getImages(0).getKey()).orElseThrow(),
                "the resumed Euler a job ends with the uninterrupted job's image");
    }

    @Test
    @Order(9)
    void aRefinerIdenticalToTheBaseContinuesItsStepsAndReproducesTheUnsplitImage() throws Exception {
        GenerationRequest unsplit = GenerationRequest.newBuilder()
                .setModel(TINY_SD).setPrompt("a mountain lake at dawn").setNegativePrompt("fog")
                .setSteps(REFINED_JOB_STEPS).setSampler("ddim").setSeed(21).build();
        GenerationRequest split = unsplit.toBuilder().setRefiner(TINY_SD).setDenoisingEnd(0.8f).build();

        List<GenerationEvent> plain = generate(unsplit);
        List<GenerationEvent> refined = generate(split);

        List<Integer> steps = IntStream.rangeClosed(1, REFINED_JOB_STEPS).boxed().toList();
        for (List<GenerationEvent> events : List.of(plain, refined)) {
            assertEquals(EventType.COMPLETED, events.get(events.size() - 1).getType(), () -> "streamed: " + events
                    + "\norchestrator log:\n" + system.logTail(LatentflowService.ORCHESTRATOR));
            List<GenerationEvent> progress = ofType(events, EventType.PROGRESS);
            assertEquals(steps, progress.stream().map(e -> e.getProgress().getStep()).toList(),
                    "steps are numbered once across base and refiner");
            progress.forEach(e -> assertEquals(REFINED_JOB_STEPS, e.getProgress().getTotalSteps()));
        }
        String refinedJobId = refined.get(0).getJobId();
        GenerationRequest stored = GenerationServiceGrpc.newBlockingStub(channel)
                .getJob(GetJobRequest.newBuilder().setJobId(refinedJobId).build()).getRequest();
        assertEquals(TINY_SD, stored.getRefiner());
        assertEquals(0.8f, stored.getDenoisingEnd());

        ImageResult plainImage = plain.get(plain.size() - 1).getCompleted().getImages(0);
        ImageResult refinedImage = refined.get(refined.size() - 1).getCompleted().getImages(0);
        assertImage(refinedImage, "jobs/" + refinedJobId + "/images/0.png", 64, 64, 21L);
        byte[] plainPng = system.object(plainImage.getKey()).orElseThrow();
        byte[] refinedPng = system.object(refinedImage.getKey()).orElseThrow();
        assertEquals(pixels(decode(plainPng)), pixels(decode(refinedPng)),
                "identical experts split at denoising_end 0.8 reproduce the unsplit run");

        List<String> refinedSpans = Poll.until("the refined job's pipeline span", Duration.ofSeconds(60), () -> {
            List<String> names = system.traces.spans().stream()
                    .filter(span -> refinedJobId.equals(span.attributes().get("latentflow.job_id")))
                    .map(span -> span.name() + "=" + span.attributes().getOrDefault("latentflow.refiner", ""))
                    .toList();
            return names.contains("pipeline=tiny-sd/1") ? Optional.of(names) : Optional.empty();
        });
        assertEquals(2, refinedSpans.stream().filter(name -> name.startsWith("text-encoder.encode=")).count(),
                () -> "base and refiner each encode the prompt and the negative prompt, in one call: " + refinedSpans);

        String missingRefiner = "e2e-refiner-missing-" + UUID.randomUUID();
        system.send(missingRefiner, PRINTER.print(unsplit.toBuilder()
                .setRefiner(ModelRef.newBuilder().setName("no-such-refiner")).build()));
        GenerationEvent failed = awaitEnd(missingRefiner).get(0);
        assertEquals(EventType.FAILED, failed.getType(), failed::toString);
        assertEquals("refiner.name", failed.getFailure().getField(), failed::toString);
    }

    @Test
    @Order(10)
    void aJobWaitsForModelServicesKilledUnderItAndCompletesOnceWithTheSameImage() throws Exception {
        GenerationRequest request = GenerationRequest.newBuilder()
                .setModel(TINY_SD).setPrompt("a windmill in a field").setSteps(RESUMED_JOB_STEPS).setSeed(5).build();
        List<GenerationEvent> faultFree = generate(request);
        ImageResult expected = faultFree.get(faultFree.size() - 1).getCompleted().getImages(0);

        String jobId = "e2e-service-restart-" + UUID.randomUUID();
        system.send(jobId, PRINTER.print(request.toBuilder().setJobId(jobId)));
        Poll.until("step 5 of " + jobId, JOB_TIMEOUT, () -> events(jobId).stream()
                .filter(e -> e.getType() == EventType.PROGRESS && e.getProgress().getStep() >= 5).findFirst());
        // both die under the running job and stay down for a while: its calls fail, then wait for them
        system.kill(LatentflowService.DENOISER);
        system.kill(LatentflowService.VAE);
        HttpResponse<String> notReady = readiness(LatentflowService.ORCHESTRATOR);
        assertEquals(503, notReady.statusCode(), "the orchestrator is not ready without its services");
        assertTrue(notReady.body().contains("\"denoiser\"")
                && !notReady.body().contains("\"denoiser\": \"SERVING\""), notReady.body());
        Thread.sleep(2000);
        system.restart(LatentflowService.VAE);
        system.restart(LatentflowService.DENOISER);
        Poll.until("the orchestrator ready again", Duration.ofSeconds(30), () -> {
            try {
                boolean ready = readiness(LatentflowService.ORCHESTRATOR).statusCode() == 200;
                return ready ? Optional.of(true) : Optional.empty();
            } catch (Exception e) {
                return Optional.empty();
            }
        });

        List<GenerationEvent> events = awaitEnd(jobId);
        assertEquals(List.of(EventType.COMPLETED), events.stream().map(GenerationEvent::getType)
                .filter(JOB_ENDS::contains).toList(), () -> "events: " + events
                + "\norchestrator log:\n" + system.logTail(LatentflowService.ORCHESTRATOR));
        ImageResult image = events.get(events.size() - 1).getCompleted().getImages(0);
        assertEquals(pixels(decode(system.object(expected.getKey()).orElseThrow())),
                pixels(decode(system.object(image.getKey()).orElseThrow())),
                "the same image as without the restarts");
    }

    @Test
    @Order(11)
    void aJobIdStandsForOneResultHoweverOftenItIsSubmitted() throws Exception {
        String jobId = "e2e-once-" + UUID.randomUUID();
        GenerationRequest request = GenerationRequest.newBuilder().setJobId(jobId)
                .setModel(TINY_SD).setPrompt("a red barn").setSteps(8).setSeed(3).build();
        system.send(jobId, PRINTER.print(request));
        system.send(jobId, PRINTER.print(request)); // delivered twice back to back
        List<GenerationEvent> first = awaitEnd(jobId);
        GenerationEvent completed = first.get(first.size() - 1);
        assertEquals(EventType.COMPLETED, completed.getType(), completed::toString);
        assertFalse(completed.getEventId().isEmpty(), "events carry an id");

        // submitted again after completion: the recorded result is streamed back, nothing runs or is published
        List<GenerationEvent> again = generate(request);
        assertEquals(completed, again.get(again.size() - 1));
        assertEquals(List.of(EventType.COMPLETED), again.stream().map(GenerationEvent::getType).toList());

        // the same id with another request is refused by name, and the result stays
        List<GenerationEvent> reused = generate(request.toBuilder().setPrompt("a blue barn").build());
        GenerationEvent refused = reused.get(reused.size() - 1);
        assertEquals(EventType.FAILED, refused.getType(), refused::toString);
        assertEquals("job_id", refused.getFailure().getField(), refused::toString);

        // the records of one job id are handled in order, so once the refusal is on the events topic every event of
        // the earlier deliveries is there too
        Poll.until("the refusal of the reused id on the events topic", JOB_TIMEOUT, () -> events(jobId).stream()
                .filter(e -> e.getType() == EventType.FAILED).findFirst());
        List<GenerationEvent> completions = ofType(events(jobId), EventType.COMPLETED);
        assertEquals(List.of(completed), completions, "one completed event on the topic");
        assertEquals(1, ofType(events(jobId), EventType.ACCEPTED).size(), "the job ran once");
        assertEquals(completed, GenerationServiceGrpc.newBlockingStub(channel)
                .getJob(GetJobRequest.newBuilder().setJobId(jobId).build()).getLastEvent(),
                "the refusal leaves the job's state as it was");
    }

    private HttpResponse<String> readiness(LatentflowService service) throws Exception {
        URI uri = URI.create("http://" + RunningSystem.HOST + ":" + system.port(service) + "/q/health/ready");
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Runs a job through Generate and returns its streamed events. */
    private List<GenerationEvent> generate(GenerationRequest request) {
        List<GenerationEvent> streamed = new ArrayList<>();
        GenerationServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(JOB_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                .generate(request)
                .forEachRemaining(streamed::add);
        assertFalse(streamed.isEmpty());
        return streamed;
    }

    /** The image's ARGB pixels, row by row. */
    private static List<Integer> pixels(BufferedImage image) {
        int[] argb = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
        return IntStream.of(argb).boxed().toList();
    }

    private void assertImage(ImageResult image, String key, int widthPx, int heightPx, long seed) throws Exception {
        assertEquals(key, image.getKey());
        assertEquals(widthPx, image.getWidth());
        assertEquals(heightPx, image.getHeight());
        assertEquals(seed, image.getSeed());
        byte[] png = system.object(key).orElseThrow(() -> new AssertionError(key + " is not in the bucket"));
        assertEquals(image.getSizeBytes(), png.length);
        BufferedImage decoded = decode(png);
        assertEquals(widthPx, decoded.getWidth());
        assertEquals(heightPx, decoded.getHeight());
    }

    private static BufferedImage decode(byte[] png) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertNotNull(image, "a decodable PNG");
        return image;
    }

    /** The job's events on latentflow.generation.events so far, in order. */
    private List<GenerationEvent> events(String jobId) {
        return system.events.matching(record -> jobId.equals(record.key())).stream()
                .map(record -> parse(record.value()))
                .toList();
    }

    /** Waits for the job's final event and returns all its events. */
    private List<GenerationEvent> awaitEnd(String jobId) {
        return Poll.until("the final event of job " + jobId, JOB_TIMEOUT, () -> {
            List<GenerationEvent> events = events(jobId);
            boolean ended = events.stream().anyMatch(e -> e.getType() == EventType.COMPLETED
                    || e.getType() == EventType.FAILED || e.getType() == EventType.CANCELLED);
            return ended ? Optional.of(events) : Optional.empty();
        });
    }

    @Test
    @Order(12)
    void thePublicApiAnswersOnlyCallsCarryingAClientsKey() throws Exception {
        GenerationRequest job = GenerationRequest.newBuilder().setModel(TINY_SD).setPrompt("p").setSteps(2).build();
        for (String key : new String[] {null, "0123456789abcdef-not-a-key-here"}) {
            ManagedChannel stranger = system.orchestratorChannel(key);
            try {
                GenerationServiceGrpc.GenerationServiceBlockingStub stub = GenerationServiceGrpc
                        .newBlockingStub(stranger).withDeadlineAfter(30, TimeUnit.SECONDS);
                StatusRuntimeException submit = assertThrows(StatusRuntimeException.class, () -> stub.submit(job));
                assertEquals(Status.Code.UNAUTHENTICATED, submit.getStatus().getCode(), submit::toString);
                StatusRuntimeException generate = assertThrows(StatusRuntimeException.class,
                        () -> stub.generate(job).hasNext());
                assertEquals(Status.Code.UNAUTHENTICATED, generate.getStatus().getCode(), generate::toString);
            } finally {
                stranger.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        GenerationEvent last = lastEvent(GenerationServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(JOB_TIMEOUT.toSeconds(), TimeUnit.SECONDS), job);
        assertEquals(EventType.COMPLETED, last.getType(), "the same job with the key runs: " + last);
    }

    @Test
    @Order(12)
    void aClientSeesAndCancelsItsOwnJobsAndThoseWrittenToTheTopicOnly() throws Exception {
        assertNotNull(grpcJobId, "the gRPC job ran");
        String kafkaJobId = kafkaImageKey.split("/")[1];
        String otherKey = system.otherApiKey();
        ManagedChannel other = system.orchestratorChannel(otherKey);
        try {
            GenerationServiceGrpc.GenerationServiceBlockingStub stub = GenerationServiceGrpc.newBlockingStub(other)
                    .withDeadlineAfter(30, TimeUnit.SECONDS);
            StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class,
                    () -> stub.getJob(GetJobRequest.newBuilder().setJobId(grpcJobId).build()));
            assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode(), unknown::toString);
            assertFalse(stub.cancel(CancelRequest.newBuilder().setJobId(grpcJobId).build()).getCancelled());
            StatusRuntimeException taken = assertThrows(StatusRuntimeException.class, () -> stub.submit(
                    GenerationRequest.newBuilder().setJobId(grpcJobId).setModel(TINY_SD).setPrompt("mine now")
                            .setSteps(2).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, taken.getStatus().getCode(), taken::toString);
            assertTrue(taken.getStatus().getDescription().startsWith("job_id: "), taken::toString);
            assertEquals(EventType.COMPLETED,
                    stub.getJob(GetJobRequest.newBuilder().setJobId(kafkaJobId).build()).getState(),
                    "a job written to the topic directly names no client: every client sees it");
        } finally {
            other.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        String image = "/api/v1/images/jobs/" + grpcJobId + "/images/0.png";
        assertEquals(404, system.http("GET", "/api/v1/jobs/" + grpcJobId, null, otherKey).statusCode());
        assertEquals(404, system.http("GET", image, null, otherKey).statusCode());
        assertEquals(404, system.http("GET", "/api/v1/jobs/" + grpcJobId + "/events", null, otherKey).statusCode());
        assertEquals("{\"cancelled\":false}",
                system.http("POST", "/api/v1/jobs/" + grpcJobId + "/cancel", null, otherKey).body());
        assertFalse(system.http("GET", "/api/v1/jobs", null, otherKey).body().contains(grpcJobId));
        assertEquals(200, system.http("GET", "/api/v1/images/" + kafkaImageKey, null, otherKey).statusCode());

        assertEquals(200, system.http("GET", image, null, true).statusCode(), "the owner gets its image");
        JobStatus mine = GenerationServiceGrpc.newBlockingStub(channel)
                .getJob(GetJobRequest.newBuilder().setJobId(grpcJobId).build());
        assertEquals(EventType.COMPLETED, mine.getState(), mine::toString);
        assertEquals(LocalApiKeys.CLIENT, mine.getRequest().getClient(), "the job names the client that sent it");
    }

    @Test
    @Order(12)
    void automatic1111ClientsGetBase64PngsWithTheirParametersAndClearRefusals() throws Exception {
        String body = """
                {"prompt": "a blue square", "negative_prompt": "noise", "steps": 4, "cfg_scale": 6.5,
                 "width": 64, "height": 64, "seed": 1234, "sampler_name": "DPM++ 2M Karras", "batch_size": 2,
                 "n_iter": 1, "restore_faces": false, "enable_hr": false, "styles": [], "subseed": -1,
                 "override_settings": {"sd_model_checkpoint": "tiny-sd/1"}, "send_images": true}""";
        HttpResponse<String> answer = system.http("POST", "/sdapi/v1/txt2img", body, true);
        assertEquals(200, answer.statusCode(), answer.body());
        JsonNode json = JSON.readTree(answer.body());
        assertEquals(2, json.get("images").size());
        JsonNode info = JSON.readTree(json.get("info").asText());
        assertEquals(List.of(1234L, 1235L), List.of(info.get("all_seeds").get(0).asLong(),
                info.get("all_seeds").get(1).asLong()));
        for (int i = 0; i < 2; i++) {
            byte[] png = Base64.getDecoder().decode(json.get("images").get(i).asText());
            BufferedImage image = decode(png);
            assertEquals(64, image.getWidth());
            assertEquals("a blue square\nNegative prompt: noise\nSteps: 4, Sampler: DPM++ 2M Karras, CFG scale: 6.5,"
                    + " Seed: " + (1234 + i) + ", Size: 64x64, Model: tiny-sd/1",
                    info.get("infotexts").get(i).asText());
        }
        // the same request through gRPC (two images, so that the UNet's batches are the same) gives the same image
        GenerationEvent same = lastEvent(GenerationServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(JOB_TIMEOUT.toSeconds(), TimeUnit.SECONDS), GenerationRequest.newBuilder()
                .setModel(TINY_SD).setPrompt("a blue square").setNegativePrompt("noise").setSteps(4)
                .setGuidanceScale(6.5f).setWidth(64).setHeight(64).setSeed(1234).setSampler("dpmpp-2m")
                .setKarras(true).setNumImages(2).build());
        assertEquals(pixels(decode(system.object(same.getCompleted().getImages(0).getKey()).orElseThrow())),
                pixels(decode(Base64.getDecoder().decode(json.get("images").get(0).asText()))),
                "the same image as the same job through gRPC");

        HttpResponse<String> hiresFix = system.http("POST", "/sdapi/v1/txt2img",
                "{\"prompt\": \"p\", \"enable_hr\": true}", true);
        assertEquals(400, hiresFix.statusCode());
        assertEquals("enable_hr", JSON.readTree(hiresFix.body()).get("field").asText(), hiresFix.body());
        HttpResponse<String> sampler = system.http("POST", "/sdapi/v1/txt2img", "{\"sampler_name\": \"Heun\"}", true);
        assertEquals(400, sampler.statusCode());
        assertEquals("sampler_name", JSON.readTree(sampler.body()).get("field").asText(), sampler.body());
        assertEquals(401, system.http("POST", "/sdapi/v1/txt2img", "{}", false).statusCode(), "no key, no job");

        JsonNode samplers = JSON.readTree(system.http("GET", "/sdapi/v1/samplers", null, true).body());
        assertTrue(samplers.findValuesAsText("name").containsAll(List.of("Euler a", "DPM++ 2M Karras", "DDIM")),
                samplers.toString());
        assertTrue(JSON.readTree(system.http("GET", "/sdapi/v1/sd-models", null, true).body()).findValuesAsText("title")
                .contains("tiny-sd/1"));
        JsonNode progress = JSON.readTree(system.http("GET", "/sdapi/v1/progress", null, true).body());
        assertEquals(0.0, progress.get("progress").asDouble(), "the client's last job has ended: " + progress);
    }

    @Test
    @Order(12)
    void theRestApiRunsJobsInTheKafkaSchemaAndItsOpenApiDocumentListsEveryEndpoint() throws Exception {
        HttpResponse<String> submitted = system.http("POST", "/api/v1/jobs",
                "{\"model\": {\"name\": \"tiny-sd\", \"version\": \"1\"}, \"prompt\": \"a circle\", \"steps\": 3}",
                true);
        assertEquals(202, submitted.statusCode(), submitted.body());
        String jobId = JSON.readTree(submitted.body()).get("jobId").asText();
        List<GenerationEvent> events = awaitEnd(jobId);
        assertEquals(EventType.COMPLETED, events.get(events.size() - 1).getType(), events::toString);
        JsonNode status = JSON.readTree(system.http("GET", "/api/v1/jobs/" + jobId, null, true).body());
        assertEquals("COMPLETED", status.get("state").asText(), status.toString());
        assertTrue(system.http("GET", "/api/v1/jobs", null, true).body().contains(jobId));
        HttpResponse<String> replay = system.http("GET", "/api/v1/jobs/" + jobId + "/events", null, true);
        assertTrue(replay.body().contains("\"COMPLETED\""), "the ended job's last event as SSE: " + replay.body());

        HttpResponse<String> bad = system.http("POST", "/api/v1/jobs", "{\"prompt\": \"p\", \"steps\": 100000}", true);
        assertEquals(400, bad.statusCode());
        assertEquals("steps", JSON.readTree(bad.body()).get("field").asText(), bad.body());
        assertEquals(404, system.http("GET", "/api/v1/jobs/no-such-job", null, true).statusCode());
        assertEquals(401, system.http("GET", "/api/v1/jobs", null, false).statusCode());

        String openApi = system.http("GET", "/q/openapi?format=json", null, false).body();
        JsonNode paths = JSON.readTree(openApi).get("paths");
        for (String path : List.of("/api/v1/jobs", "/api/v1/jobs/{jobId}", "/api/v1/jobs/{jobId}/cancel",
                "/api/v1/jobs/{jobId}/events", "/api/v1/models", "/sdapi/v1/txt2img", "/sdapi/v1/img2img",
                "/sdapi/v1/progress", "/sdapi/v1/interrupt", "/sdapi/v1/sd-models", "/sdapi/v1/samplers")) {
            assertTrue(paths.has(path), path + " in the OpenAPI document: " + paths.fieldNames());
        }
        assertEquals(200, system.http("GET", "/q/swagger-ui/", null, false).statusCode());
    }

    @Test
    @Order(12)
    void theWebPageShowsAJobsProgressPreviewAndImageFollowsItThroughAReloadAndCancelsAnother() throws Exception {
        try (HeadlessChromium chromium = HeadlessChromium.start()) {
            WebDriver browser = chromium.browser;
            WebDriverWait wait = chromium.waitReporting(JOB_TIMEOUT, "status");
            // the page has loaded its models, samplers and gallery
            chromium.openWebPage(system, "", wait);
            new Select(browser.findElement(By.id("model"))).selectByVisibleText("tiny-sd 1");
            new Select(browser.findElement(By.id("sampler"))).selectByVisibleText("Euler a");
            type(browser, "prompt", "a green triangle, web");
            // long enough (a second or more) for the page's polls to catch the job with a preview
            type(browser, "steps", "60");
            type(browser, "seed", "11");
            browser.findElement(By.id("generate")).click();

            wait.until(driver -> driver.findElement(By.id("preview")).isDisplayed()
                    && chromium.imageLoaded(driver.findElement(By.id("preview"))));
            String jobId = browser.findElement(By.id("job-id")).getText();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "completed"));
            WebElement image = wait.until(driver -> driver.findElements(By.cssSelector(
                    ".card[data-job-id='" + jobId + "'] img")).stream().findFirst().orElse(null));
            wait.until(driver -> chromium.imageLoaded(image));
            List<GenerationEvent> events = awaitEnd(jobId);
            assertEquals(EventType.COMPLETED, events.get(events.size() - 1).getType());
            assertTrue(ofType(events, EventType.PROGRESS).stream()
                    .anyMatch(e -> !e.getProgress().getPreviewKey().isEmpty()), "previews in the events");
            chromium.screenshot(Path.of("target", "web-page.png"));

            // a long job, followed again after the page is reloaded, then cancelled from the page
            type(browser, "steps", String.valueOf(LONG_JOB_STEPS));
            browser.findElement(By.id("generate")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "step"));
            String longJob = browser.findElement(By.id("job-id")).getText();
            browser.navigate().refresh();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-id"), longJob));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "step"));
            browser.findElement(By.id("cancel")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "cancelled"));
            assertEquals(EventType.CANCELLED, awaitEnd(longJob).get(awaitEnd(longJob).size() - 1).getType());
        }
    }

    @Test
    @Order(12)
    void anOrchestratorRunsAsManyJobsAsItHasWorkersAndTakesTheNextRecordWhenOneEnds() throws Exception {
        int workers = 8; // orchestrator.workers
        GenerationServiceGrpc.GenerationServiceBlockingStub stub = GenerationServiceGrpc.newBlockingStub(channel);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < workers + 4; i++) {
            ids.add(stub.submit(GenerationRequest.newBuilder().setModel(TINY_SD).setPrompt("a queue, " + i)
                    .setSteps(LONG_JOB_STEPS).setSeed(i).build()).getJobId());
        }
        Poll.until(workers + " jobs running", JOB_TIMEOUT, () -> started(ids) >= workers ? Optional.of(true)
                : Optional.empty());
        // the jobs run 500 steps each: none ends by itself before the cancel below frees a worker
        String metrics = system.services.metrics(ServiceInstance.of(LatentflowService.ORCHESTRATOR));
        assertTrue(RunningSystem.metric(metrics, "latentflow_orchestrator_jobs_in_progress") <= workers, metrics);
        assertEquals(workers, started(ids), "the other records wait until a worker is free");
        // the waiting jobs know their place, in the order they were submitted, and when they should end
        List<JobStatus> waiting = ids.stream().filter(id -> events(id).isEmpty())
                .map(id -> stub.getJob(GetJobRequest.newBuilder().setJobId(id).build())).toList();
        assertEquals(List.of(1, 2, 3, 4), waiting.stream().map(JobStatus::getQueuePosition).toList(),
                waiting::toString);
        assertTrue(waiting.stream().allMatch(status -> status.getEtaSeconds() > 0)
                && waiting.get(3).getEtaSeconds() >= waiting.get(0).getEtaSeconds(),
                "earlier jobs completed: each waiting job has an estimate, later ones no earlier " + waiting);
        String first = ids.stream().filter(id -> !events(id).isEmpty()).findFirst().orElseThrow();
        JobStatus running = Poll.until("a progress event of " + first, JOB_TIMEOUT, () -> Optional.of(
                stub.getJob(GetJobRequest.newBuilder().setJobId(first).build()))
                .filter(status -> status.getState() == EventType.PROGRESS));
        assertEquals(0, running.getQueuePosition());
        assertTrue(running.getEtaSeconds() > 0 && running.getLastEvent().getProgress().getEtaSeconds() > 0,
                "the remaining steps of a 500-step job take time: " + running);
        stub.cancel(CancelRequest.newBuilder().setJobId(first).build());
        awaitEnd(first);
        Poll.until("a waiting job taking the freed worker", JOB_TIMEOUT, () -> started(ids) == workers + 1
                ? Optional.of(true) : Optional.empty());
        for (String id : ids) {
            stub.cancel(CancelRequest.newBuilder().setJobId(id).build());
        }
        for (String id : ids) {
            List<GenerationEvent> events = awaitEnd(id);
            assertEquals(EventType.CANCELLED, events.get(events.size() - 1).getType(), events::toString);
        }
    }

    /** How many of the jobs have been taken by a worker (an ACCEPTED event or later). */
    private long started(List<String> jobIds) {
        return jobIds.stream().filter(id -> !events(id).isEmpty()).count();
    }

    private static void type(WebDriver browser, String id, String text) {
        WebElement field = browser.findElement(By.id(id));
        field.clear();
        field.sendKeys(text);
    }

    /**
     * The chaos test: a burst of jobs on the topic, one per resumable sampler, while the denoiser, the VAE, the
     * orchestrator, the broker and the S3 server are each killed (SIGKILL) under it and started again. Every job
     * ends with exactly one COMPLETED event (counted by event id, as a consumer deduplicates what the broker may
     * repeat) and the image of a fault-free run of the same request.
     */
    @Test
    @Order(13)
    void aBurstOfJobsCompletesOnceEachWithItsFaultFreeImageThroughKillsOfEveryProcess() throws Exception {
        List<GenerationRequest> burst = new ArrayList<>();
        for (int i = 0; i < CHAOS_SAMPLERS.size(); i++) {
            String jobId = "e2e-chaos-" + i + "-" + UUID.randomUUID();
            GenerationRequest.Builder job = GenerationRequest.newBuilder().setJobId(jobId).setModel(TINY_SD)
                    .setPrompt("a harbour at night, " + i).setSteps(CHAOS_STEPS)
                    .setSampler(CHAOS_SAMPLERS.get(i)).setSeed(700 + i);
            if ("ddim".equals(CHAOS_SAMPLERS.get(i))) {
                job.setEta(0.5f);
            }
            burst.add(job.build());
            system.send(jobId, PRINTER.print(job.build()));
        }
        List<String> ids = burst.stream().map(GenerationRequest::getJobId).toList();
        for (LatentflowService service : List.of(LatentflowService.DENOISER, LatentflowService.VAE,
                LatentflowService.ORCHESTRATOR)) {
            awaitMoreSteps(ids, CHAOS_STEPS_BETWEEN_KILLS);
            system.killAndRestart(service);
        }
        awaitMoreSteps(ids, CHAOS_STEPS_BETWEEN_KILLS);
        system.killAndRestartBroker();
        awaitMoreSteps(ids, CHAOS_STEPS_BETWEEN_KILLS);
        system.killAndRestartS3();

        ids.forEach(this::awaitEnd);
        // the fault-free runs come after the burst's ends, so a duplicate the faults caused has had time to appear
        for (GenerationRequest job : burst) {
            List<GenerationEvent> faultFree = generate(job.toBuilder().clearJobId().build());
            GenerationEvent expected = faultFree.get(faultFree.size() - 1);
            assertEquals(EventType.COMPLETED, expected.getType(), expected::toString);
            List<GenerationEvent> events = events(job.getJobId());
            Map<EventType, Set<String>> ends = events.stream().filter(e -> JOB_ENDS.contains(e.getType()))
                    .collect(Collectors.groupingBy(GenerationEvent::getType,
                            Collectors.mapping(GenerationEvent::getEventId, Collectors.toSet())));
            assertEquals(Set.of(EventType.COMPLETED), ends.keySet(), () -> job.getSampler() + " job "
                    + job.getJobId() + ": " + events + "\norchestrator log:\n"
                    + system.logTail(LatentflowService.ORCHESTRATOR));
            assertEquals(1, ends.get(EventType.COMPLETED).size(), () -> "one COMPLETED event: " + events);
            GenerationEvent completed = ofType(events, EventType.COMPLETED).get(0);
            assertEquals(pixels(decode(system.object(expected.getCompleted().getImages(0).getKey()).orElseThrow())),
                    pixels(decode(system.object(completed.getCompleted().getImages(0).getKey()).orElseThrow())),
                    job.getSampler() + ": the image of a fault-free run");
        }
    }

    /** Waits until the jobs together have reported {@code steps} more progress events than now. */
    private void awaitMoreSteps(List<String> jobIds, int steps) {
        long now = progressCount(jobIds);
        Poll.until(steps + " more steps of the burst", JOB_TIMEOUT,
                () -> progressCount(jobIds) >= now + steps ? Optional.of(true) : Optional.empty());
    }

    private long progressCount(List<String> jobIds) {
        return jobIds.stream().mapToLong(id -> ofType(events(id), EventType.PROGRESS).size()).sum();
    }

    /** The last event of a job run through Generate. */
    private static GenerationEvent lastEvent(GenerationServiceGrpc.GenerationServiceBlockingStub stub,
            GenerationRequest job) {
        List<GenerationEvent> events = new ArrayList<>();
        stub.generate(job).forEachRemaining(events::add);
        return events.get(events.size() - 1);
    }

    private static List<GenerationEvent> ofType(List<GenerationEvent> events, EventType type) {
        return events.stream().filter(e -> e.getType() == type).toList();
    }

    private static GenerationEvent parse(String json) {
        GenerationEvent.Builder event = GenerationEvent.newBuilder();
        try {
            JsonFormat.parser().merge(json, event);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("event is not a GenerationEvent: " + json, e);
        }
        return event.build();
    }
}
