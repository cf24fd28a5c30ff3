package io.latentflow.e2e;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.core.dataset.ShapesDataset;
import io.latentflow.deploy.LatentflowService;
import io.latentflow.proto.EventType;
import io.latentflow.proto.GenerationEvent;
import io.latentflow.proto.GenerationRequest;
import io.latentflow.proto.ModelRef;
import io.latentflow.proto.TrainingEvent;
import io.latentflow.proto.TrainingRequest;
import io.latentflow.proto.TrainingRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training runs through the whole system: requests on Kafka, the orchestrator, the VAE and denoiser services
 * training the shipped tiny model on an 8-image shapes dataset in the real S3 server. The loss falls, checkpoints
 * land and load, a run whose service is killed (SIGKILL) resumes from its checkpoint and ends with the weights of an
 * uninterrupted run, the published model generates without a restart, bad datasets and fields fail by name and
 * publish nothing. The REST API answers for the runs in the same schema, and the web page shows a run's state, loss
 * curves and samples in a real headless Chromium.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainingPipelineIT {

    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(6);
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RUNS = "/api/v1/training-runs";
    private static final String DATASET = "shapes8";
    private static final ModelRef TINY_SD = ModelRef.newBuilder().setName("tiny-sd").setVersion("1").build();

    private RunningSystem system;
    private String vaeRunId;

    @BeforeAll
    void start() throws Exception {
        system = RunningSystem.start();
        Runtime.getRuntime().addShutdownHook(new Thread(system::close));
        Path dir = Files.createTempDirectory("latentflow-shapes");
        ShapesDataset.write(dir, 8, 64, 1);
        upload(dir, "datasets/" + DATASET + "/");
    }

    @AfterAll
    void stop() {
        if (system != null) {
            system.close();
        }
    }

    @Test
    @Order(1)
    void vaeRunLowersTheLossCheckpointsSamplesAndPublishes() throws Exception {
        String runId = "e2e-vae-" + UUID.randomUUID();
        TrainingRequest request = TrainingRequest.newBuilder().setRunId(runId).setKind("vae").setDataset(DATASET)
                .setBaseModel(TINY_SD).setOutputModel(model("e2e-vae", "1"))
                .setMaxTrainSteps(24).setTrainBatchSize(4).setLearningRate(1e-3).setCheckpointingSteps(12)
                .setDiscStart(18).setDiscNumLayers(2).setDiscNdf(8).setSeed(4).build();
        system.sendTraining(runId, PRINTER.print(request));
        List<TrainingEvent> events = awaitEnd(runId);
        TrainingEvent last = events.get(events.size() - 1);
        assertEquals("completed", last.getType(), () -> "events: " + events + "\n" + logs());
        List<Double> rec = progress(events).stream().map(e -> e.getLossesOrThrow("rec_loss")).toList();
        assertEquals(24, rec.size());
        double first = mean(rec.subList(0, 4));
        double lastLoss = mean(rec.subList(20, 24));
        System.out.printf("vae run: rec_loss first 4 steps %.4f, last 4 steps %.4f%n", first, lastLoss);
        assertTrue(lastLoss < 0.9 * first, "rec_loss fell: " + first + " -> " + lastLoss);
        assertTrue(progress(events).get(23).containsLosses("d_loss"), "the discriminator trains after disc_start");
        assertTrue(last.getNotesList().stream().anyMatch(n -> n.contains("LPIPS")), "the LPIPS term is said off");
        assertTrue(system.object("training/" + runId + "/checkpoints/12/state.json").isPresent());
        assertTrue(system.object("training/" + runId + "/checkpoints/24/vae/diffusion_pytorch_model.safetensors")
                .isPresent());
        assertEquals(List.of(12L, 24L), ofType(events, "checkpoint").stream().map(TrainingEvent::getStep).toList());
        String sample = ofType(events, "sample").get(0).getSamples(0);
        BufferedImage image = ImageIO.read(new java.io.ByteArrayInputStream(system.object(sample).orElseThrow()));
        assertEquals(64, image.getWidth());
        TrainingRun run = readRun(runId);
        assertEquals("completed", run.getState());
        String metrics = new String(system.object("training/" + runId + "/metrics.jsonl").orElseThrow(),
                StandardCharsets.UTF_8);
        assertEquals(events.size(), metrics.lines().count(), "one metrics row per event");
        // the REST API answers from the bucket: the run as recorded, and its metrics rows with the events' losses
        vaeRunId = runId;
        JsonNode restRun = JSON.readTree(system.http("GET", RUNS + "/" + runId, null, true).body());
        assertEquals("completed", restRun.get("state").asText(), restRun::toString);
        assertEquals(24, restRun.get("step").asLong());
        assertEquals("vae", restRun.get("request").get("kind").asText());
        JsonNode rows = JSON.readTree(system.http("GET", RUNS + "/" + runId + "/metrics", null, true).body());
        assertEquals(events.size(), rows.size(), "the metrics rows are the run's events");
        assertEquals(rec, losses(rows, "rec_loss"), "the REST rows carry the events' rec_loss");
        assertTrue(system.object("models/e2e-vae/1/model_index.json").isPresent());
        assertTrue(system.object("models/e2e-vae/1/unet/config.json").isPresent(), "untouched components copied");
        // the published VAE decodes a generation job without any restart
        generate(model("e2e-vae", "1"));
    }

    @Test
    @Order(2)
    void unetRunKilledMidwayResumesToTheWeightsOfAnUninterruptedRunAndItsModelGenerates() throws Exception {
        TrainingRequest.Builder base = TrainingRequest.newBuilder().setKind("unet").setDataset(DATASET)
                .setBaseModel(TINY_SD).setMaxTrainSteps(30).setTrainBatchSize(4).setLearningRate(1e-3)
                .setCheckpointingSteps(5).setUseEma(true).setSeed(9).addValidationPrompts("a large red circle");
        String straightId = "e2e-unet-straight-" + UUID.randomUUID();
        system.sendTraining(straightId, PRINTER.print(base.clone().setRunId(straightId)
                .setOutputModel(model("e2e-unet-straight", "1")).build()));
        List<TrainingEvent> straight = awaitEnd(straightId);
        assertEquals("completed", straight.get(straight.size() - 1).getType(), () -> "events: " + straight + logs());

        String runId = "e2e-unet-killed-" + UUID.randomUUID();
        system.sendTraining(runId, PRINTER.print(base.clone().setRunId(runId)
                .setOutputModel(model("e2e-unet-resumed", "1")).build()));
        Poll.until("step 12 of " + runId, RUN_TIMEOUT, () -> progress(events(runId)).stream()
                .anyMatch(e -> e.getStep() >= 12) ? Optional.of(true) : Optional.empty());
        system.killAndRestart(LatentflowService.DENOISER);
        List<TrainingEvent> events = awaitEnd(runId);
        assertEquals("completed", events.get(events.size() - 1).getType(), () -> "events: " + events + logs());
        List<Long> steps = progress(events).stream().map(TrainingEvent::getStep).toList();
        int restart = 1;
        while (restart < steps.size() && steps.get(restart) > steps.get(restart - 1)) {
            restart++;
        }
        assertTrue(restart < steps.size(), "the run went back to its checkpoint after the kill: " + steps);
        assertEquals(1, steps.get(restart) % 5, "it resumed right after a checkpoint: " + steps);
        assertEquals(30L, steps.get(steps.size() - 1));
        List<Double> losses = progress(straight).stream().map(e -> e.getLossesOrThrow("loss")).toList();
        System.out.printf("unet run: loss first 5 steps %.4f, last 5 steps %.4f; killed at step %d, resumed at %d%n",
                mean(losses.subList(0, 5)), mean(losses.subList(25, 30)), steps.get(restart - 1),
                steps.get(restart));
        assertTrue(mean(losses.subList(25, 30)) < mean(losses.subList(0, 5)), "loss fell: " + losses);

        // every draw depends on (seed, step): the resumed run repeats the uninterrupted one's steps exactly
        long resumedStep = steps.get(restart);
        double expected = progress(straight).get((int) resumedStep - 1).getLossesOrThrow("loss");
        double actual = progress(events).get(restart).getLossesOrThrow("loss");
        System.out.printf("first resumed step %d: loss %.7f, uninterrupted %.7f%n", resumedStep, actual, expected);
        assertEquals(expected, actual, 1e-6 * expected, "the resumed step repeats the uninterrupted one");
        double[] difference = difference("models/e2e-unet-straight/1/unet/diffusion_pytorch_model.safetensors",
                "models/e2e-unet-resumed/1/unet/diffusion_pytorch_model.safetensors");
        System.out.printf("resumed vs uninterrupted published UNet: max abs difference %.3g, mean %.3g%n",
                difference[0], difference[1]);
        assertTrue(difference[0] <= 1e-6, "resumed run ends with the uninterrupted run's weights: " + difference[0]);
        generate(model("e2e-unet-resumed", "1"));
    }

    @Test
    @Order(3)
    void jointlyTrainedTextEncoderIsPublishedWithTheUNet() throws Exception {
        String runId = "e2e-joint-" + UUID.randomUUID();
        system.sendTraining(runId, PRINTER.print(TrainingRequest.newBuilder().setRunId(runId).setKind("refiner")
                .setDataset(DATASET).setTrainTextEncoder(true).setOutputModel(model("e2e-joint", "1"))
                .setMaxTrainSteps(4).setTrainBatchSize(2).setCheckpointingSteps(4).build()));
        List<TrainingEvent> events = awaitEnd(runId);
        assertEquals("completed", events.get(events.size() - 1).getType(), () -> "events: " + events + logs());
        assertTrue(system.object("models/e2e-joint/1/text_encoder/model.safetensors").isPresent());
        assertTrue(system.object("training/" + runId + "/checkpoints/4/optimizer.text_encoder.safetensors")
                .isPresent());
        generate(model("e2e-joint", "1"));
    }

    @Test
    @Order(4)
    void badDatasetsAndFieldsFailByNameAndPublishNothing() throws Exception {
        // an image of the wrong size
        Path dir = Files.createTempDirectory("latentflow-bad");
        ShapesDataset.write(dir, 3, 64, 2);
        BufferedImage small = new BufferedImage(48, 48, BufferedImage.TYPE_INT_RGB);
        ImageIO.write(small, "png", dir.resolve("images/00001.png").toFile());
        upload(dir, "datasets/bad-size/");
        system.put("datasets/bad-json/metadata.jsonl", "{\"file_name\": \"a.png\"\n".getBytes(StandardCharsets.UTF_8),
                "application/x-ndjson");
        Map<String, String[]> cases = Map.of(
                "{\"kind\":\"vae\",\"dataset\":\"no-such-dataset\",\"output_model\":{\"name\":\"e2e-never\"}}",
                new String[] {"dataset", "not found"},
                "{\"kind\":\"vae\",\"dataset\":\"bad-size\",\"output_model\":{\"name\":\"e2e-never\"}}",
                new String[] {"dataset", "images/00001.png: 48x48, expected 64x64"},
                "{\"kind\":\"vae\",\"dataset\":\"bad-json\",\"output_model\":{\"name\":\"e2e-never\"}}",
                new String[] {"dataset", "metadata.jsonl line 1"},
                "{\"kind\":\"unet\",\"dataset\":\"shapes8\",\"output_model\":{\"name\":\"e2e-never\"},"
                        + "\"learning_rate\":-1}", new String[] {"learning_rate", "must be > 0"},
                "{\"kind\":\"gan\",\"dataset\":\"shapes8\",\"output_model\":{\"name\":\"e2e-never\"}}",
                new String[] {"kind", "vae, unet or refiner"},
                "{\"kind\":\"unet\",\"dataset\":\"shapes8\",\"output_model\":{\"name\":\"e2e-never\"},"
                        + "\"train_steps\":5}", new String[] {"train_steps", "unknown field"});
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            String runId = "e2e-bad-" + UUID.randomUUID();
            system.sendTraining(runId, c.getKey());
            List<TrainingEvent> events = awaitEnd(runId);
            TrainingEvent last = events.get(events.size() - 1);
            assertEquals("failed", last.getType(), () -> c.getKey() + " -> " + events);
            assertEquals(c.getValue()[0], last.getField(), c.getKey());
            assertTrue(last.getError().contains(c.getValue()[1]), () -> c.getKey() + " -> " + last.getError());
        }
        assertFalse(system.object("models/e2e-never/1/model_index.json").isPresent(), "nothing was published");
        assertFalse(system.trainingDeadLetters.matching(r -> true).isEmpty(), "refused records reach the DLQ");
    }

    @Test
    @Order(5)
    void aRunSubmittedOverRestIsFollowedByItsEventStreamAndTheWebPageToItsLossCurvesAndSamples() throws Exception {
        // refused by name, as on Kafka and gRPC
        String never = "\"kind\":\"unet\",\"dataset\":\"shapes8\",\"output_model\":{\"name\":\"e2e-never\"}";
        assertRefused("{" + never + ",\"learning_rate\":-1}", "learning_rate", "must be > 0");
        assertRefused("{" + never + ",\"train_steps\":5}", "train_steps", "unknown field");
        assertRefused("{\"dataset\":\"shapes8\"}", "kind", "is required");
        assertEquals(401, system.http("POST", RUNS, "{" + never + "}", false).statusCode(), "no key, no run");
        assertEquals(404, system.http("GET", RUNS + "/no-such-run", null, true).statusCode());
        assertEquals(404, system.http("GET", RUNS + "/no-such-run/metrics", null, true).statusCode());

        HttpResponse<String> submitted = system.http("POST", RUNS, PRINTER.print(TrainingRequest.newBuilder()
                .setKind("unet").setDataset(DATASET).setBaseModel(TINY_SD).setOutputModel(model("e2e-rest", "1"))
                .setMaxTrainSteps(30).setTrainBatchSize(4).setLearningRate(1e-3).setCheckpointingSteps(10).setSeed(9)
                .addValidationPrompts("a large red circle").build()), true);
        assertEquals(202, submitted.statusCode(), submitted.body());
        String runId = JSON.readTree(submitted.body()).get("runId").asText();
        assertEquals(system.orchestratorUrl() + RUNS + "/" + runId,
                submitted.headers().firstValue("Location").orElseThrow());
        CompletableFuture<HttpResponse<String>> stream = HttpClient.newHttpClient().sendAsync(
                system.httpRequest("GET", RUNS + "/" + runId + "/events", null, true),
                HttpResponse.BodyHandlers.ofString());

        try (HeadlessChromium chromium = HeadlessChromium.start()) {
            WebDriver browser = chromium.browser;
            WebDriverWait wait = chromium.waitReporting(RUN_TIMEOUT, "run-status");
            chromium.openWebPage(system, "#training/" + runId, wait);
            // the run stays in view through a reload (its id is in the URL)
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("run-status"), "step"));
            browser.navigate().refresh();
            chromium.awaitLoaded(wait);
            assertEquals(runId, browser.findElement(By.id("run-id")).getText());
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("run-status"),
                    "completed · step 30 of 30"));
            String points = browser.findElement(By.cssSelector("#loss-chart polyline[data-term='loss']"))
                    .getAttribute("points");
            assertEquals(30, points.split(" ").length, "a point per step: " + points);
            List<WebElement> checkpoints = browser.findElements(By.cssSelector("#checkpoints li"));
            assertEquals(List.of("10", "20", "30"), checkpoints.stream().map(li -> li.getAttribute("data-step"))
                    .toList());
            WebElement sample = checkpoints.get(2).findElement(By.cssSelector("img.sample"));
            wait.until(driver -> chromium.imageLoaded(sample));
            assertEquals(1, browser.findElements(By.cssSelector("#runs tr[data-run-id='" + runId + "']")).size(),
                    "the runs' table lists the run");
            chromium.screenshot(Path.of("target", "training-page.png"));
        }

        List<TrainingEvent> events = awaitEnd(runId);
        assertEquals("completed", events.get(events.size() - 1).getType(), () -> "events: " + events + logs());
        List<TrainingEvent> streamed = serverSentEvents(stream.get(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        assertEquals("completed", streamed.get(streamed.size() - 1).getType(), "the stream ends with the run");
        assertEquals(30L, progress(streamed).get(progress(streamed).size() - 1).getStep());

        JsonNode run = JSON.readTree(system.http("GET", RUNS + "/" + runId, null, true).body());
        assertEquals("completed", run.get("state").asText(), run::toString);
        assertEquals(30, run.get("step").asLong());
        List<Double> losses = losses(JSON.readTree(system.http("GET", RUNS + "/" + runId + "/metrics", null, true)
                .body()), "loss");
        assertEquals(30, losses.size());
        assertTrue(losses.stream().allMatch(Double::isFinite), losses::toString);
        assertTrue(mean(losses.subList(25, 30)) < mean(losses.subList(0, 5)), "loss fell: " + losses);
        List<String> listed = new ArrayList<>();
        JSON.readTree(system.http("GET", RUNS, null, true).body()).forEach(r -> listed.add(r.get("runId").asText()));
        assertTrue(listed.contains(runId) && listed.contains(vaeRunId), listed::toString);
        assertTrue(listed.indexOf(runId) < listed.indexOf(vaeRunId), "latest first: " + listed);

        String sampleKey = ofType(events, "sample").get(0).getSamples(0);
        HttpResponse<byte[]> png = HttpClient.newHttpClient().send(system.httpRequest("GET", "/api/v1/images/"
                + sampleKey, null, true), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, png.statusCode());
        assertEquals(64, ImageIO.read(new java.io.ByteArrayInputStream(png.body())).getWidth());
        assertEquals(404, system.http("GET", "/api/v1/images/training/" + runId + "/run.json", null, true)
                .statusCode(), "only sample PNGs are served");
        assertEquals("{\"cancelled\":false}", system.http("POST", RUNS + "/" + runId + "/cancel", null, true).body());
        JsonNode paths = JSON.readTree(system.http("GET", "/q/openapi?format=json", null, false).body()).get("paths");
        for (String path : List.of(RUNS, RUNS + "/{runId}", RUNS + "/{runId}/metrics", RUNS + "/{runId}/events",
                RUNS + "/{runId}/cancel")) {
            assertTrue(paths.has(path), path + " in the OpenAPI document");
        }
    }

    private void assertRefused(String body, String field, String reason) throws Exception {
        HttpResponse<String> answer = system.http("POST", RUNS, body, true);
        assertEquals(400, answer.statusCode(), body + " -> " + answer.body());
        JsonNode json = JSON.readTree(answer.body());
        assertEquals(field, json.get("field").asText(), answer.body());
        assertTrue(json.get("reason").asText().contains(reason), answer.body());
    }

    /** The values of a loss term in the progress rows of a metrics answer. */
    private static List<Double> losses(JsonNode rows, String term) {
        List<Double> values = new ArrayList<>();
        rows.forEach(row -> {
            if ("progress".equals(row.path("type").asText())) {
                values.add(row.get("losses").get(term).asDouble());
            }
        });
        return values;
    }

    /** The events of a finished Server-Sent Events answer (its data lines). */
    private static List<TrainingEvent> serverSentEvents(HttpResponse<String> answer) throws Exception {
        assertEquals(200, answer.statusCode(), answer.body());
        List<TrainingEvent> events = new ArrayList<>();
        for (String line : answer.body().lines().filter(l -> l.startsWith("data:")).toList()) {
            TrainingEvent.Builder event = TrainingEvent.newBuilder();
            JsonFormat.parser().merge(line.substring("data:".length()).trim(), event);
            events.add(event.build());
        }
        return events;
    }

    private void generate(ModelRef model) throws Exception {
        String jobId = "e2e-trained-" + UUID.randomUUID();
        system.send(jobId, PRINTER.print(GenerationRequest.newBuilder().setModel(model)
                .setPrompt("a large red circle on a blue background").setSteps(4).setSeed(1).build()));
        GenerationEvent last = Poll.until("job " + jobId, RUN_TIMEOUT, () -> system.events
                .matching(r -> jobId.equals(r.key())).stream().map(r -> parseGeneration(r.value()))
                .filter(e -> e.getType() == EventType.COMPLETED || e.getType() == EventType.FAILED).findFirst());
        assertEquals(EventType.COMPLETED, last.getType(), () -> "generation with " + model + ": " + last + logs());
    }

    /** max and mean |a - b| over every tensor of two safetensors files. */
    private double[] difference(String keyA, String keyB) throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList a = NDList.decode(manager, system.object(keyA).orElseThrow());
            NDList b = NDList.decode(manager, system.object(keyB).orElseThrow());
            assertEquals(a.size(), b.size());
            double worst = 0;
            double sum = 0;
            long count = 0;
            for (NDArray x : a) {
                NDArray y = b.stream().filter(t -> t.getName().equals(x.getName())).findFirst().orElseThrow();
                NDArray d = x.sub(y).abs();
                worst = Math.max(worst, d.max().getFloat());
                sum += d.sum().getFloat();
                count += d.size();
            }
            return new double[] {worst, sum / count};
        }
    }

    private void upload(Path dir, String prefix) throws Exception {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            String relative = dir.relativize(f).toString().replace('\\', '/');
            if (!relative.equals("metadata.jsonl")) {
                system.put(prefix + relative, Files.readAllBytes(f), "application/octet-stream");
            }
        }
        system.put(prefix + "metadata.jsonl", Files.readAllBytes(dir.resolve("metadata.jsonl")),
                "application/x-ndjson");
    }

    private TrainingRun readRun(String runId) throws Exception {
        TrainingRun.Builder b = TrainingRun.newBuilder();
        JsonFormat.parser().ignoringUnknownFields().merge(new String(system.object("training/" + runId
                + "/run.json").orElseThrow(), StandardCharsets.UTF_8), b);
        return b.build();
    }

    private List<TrainingEvent> awaitEnd(String runId) {
        return Poll.until("the final event of run " + runId, RUN_TIMEOUT, () -> {
            List<TrainingEvent> events = events(runId);
            boolean ended = events.stream().anyMatch(e -> List.of("completed", "failed", "cancelled")
                    .contains(e.getType()));
            return ended ? Optional.of(events) : Optional.empty();
        });
    }

    private List<TrainingEvent> events(String runId) {
        List<TrainingEvent> out = new ArrayList<>();
        for (TopicWatcher.Received r : system.trainingEvents.matching(r -> runId.equals(r.key()))) {
            TrainingEvent.Builder b = TrainingEvent.newBuilder();
            try {
                JsonFormat.parser().merge(r.value(), b);
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError("not a TrainingEvent: " + r.value(), e);
            }
            out.add(b.build());
        }
        return out;
    }

    private static GenerationEvent parseGeneration(String json) {
        GenerationEvent.Builder b = GenerationEvent.newBuilder();
        try {
            JsonFormat.parser().ignoringUnknownFields().merge(json, b);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
        return b.build();
    }

    private static List<TrainingEvent> progress(List<TrainingEvent> events) {
        return ofType(events, "progress");
    }

    private static List<TrainingEvent> ofType(List<TrainingEvent> events, String type) {
        return events.stream().filter(e -> type.equals(e.getType())).toList();
    }

    private static ModelRef model(String name, String version) {
        return ModelRef.newBuilder().setName(name).setVersion(version).build();
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    private String logs() {
        return "\norchestrator log:\n" + system.logTail(LatentflowService.ORCHESTRATOR)
                + "\ndenoiser log:\n" + system.logTail(LatentflowService.DENOISER)
                + "\nvae log:\n" + system.logTail(LatentflowService.VAE);
    }
}
