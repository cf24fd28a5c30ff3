package io.latentflow.denoiser.grpc;

import static io.latentflow.service.testing.ServiceAssertions.assertStatus;
import static io.latentflow.service.testing.TrainingCalls.notes;
import static io.latentflow.service.testing.TrainingCalls.ofType;
import static io.latentflow.service.testing.TrainingCalls.steps;
import static io.latentflow.service.testing.TrainingCalls.train;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.latentflow.core.dataset.Dataset;
import io.latentflow.core.dataset.ShapesDataset;
import io.latentflow.core.tensor.SafetensorsWriter;
import io.latentflow.proto.ModelRef;
import io.latentflow.proto.TrainJob;
import io.latentflow.proto.TrainProgress;
import io.latentflow.proto.TrainerServiceGrpc;
import io.latentflow.proto.TrainingRequest;
import io.latentflow.service.testing.S3ServerResource;
import io.latentflow.service.testing.TestBucket;
import io.latentflow.service.testing.TrainingCalls;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = S3ServerResource.class,
        initArgs = @ResourceArg(name = S3ServerResource.CONFIG_PREFIX, value = "denoiser"))
class UNetTrainerGrpcServiceTest {

    private static final String DATASET = "datasets/unet-shapes/";
    private static final Path INPUTS = Path.of("target", "test-datasets", "unet-shapes");
    private static final int ITEMS = 8;
    /** The tiny-sd UNet's latents at 64 px (4, 8, 8) and its text encoder's hidden states (77, 32). */
    private static final Shape LATENT = new Shape(4, 8, 8);
    private static final int TOKENS = 77;
    private static final int WIDTH = 32;
    private static final Pattern RESUMING = Pattern.compile("resuming from the checkpoint of step (\\d+)");

    private static Dataset dataset;

    @TestHTTPResource("/")
    URL root;

    @ConfigProperty(name = "denoiser.store.endpoint")
    String endpoint;

    private ManagedChannel channel;
    private TestBucket bucket;

    @BeforeAll
    static void writeInputs() {
        dataset = ShapesDataset.write(INPUTS.resolve("dataset"), ITEMS, 64, 7);
        Random random = new Random(3);
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> latents = new LinkedHashMap<>();
            latents.put("mean", normal(manager, random, new Shape(ITEMS).addAll(LATENT), 1f));
            latents.put("std", normal(manager, random, new Shape(ITEMS).addAll(LATENT), 0.05f).abs());
            SafetensorsWriter.write(INPUTS.resolve("latents.safetensors"), latents);
            Map<String, NDArray> embeddings = new LinkedHashMap<>();
            embeddings.put("captions", normal(manager, random, new Shape(ITEMS, TOKENS, WIDTH), 1f));
            embeddings.put("empty", normal(manager, random, new Shape(1, TOKENS, WIDTH), 1f));
            embeddings.put("validation", normal(manager, random, new Shape(1, TOKENS, WIDTH), 1f));
            SafetensorsWriter.write(INPUTS.resolve("embeddings.safetensors"), embeddings);
        }
    }

    @BeforeEach
    void connect() {
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", root.getPort()).usePlaintext().build();
        bucket = new TestBucket(endpoint);
        bucket.upload(dataset.dir(), DATASET);
        bucket.uploadFile(INPUTS.resolve("latents.safetensors"), DATASET + "latents/tiny-sd-1-64.safetensors");
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    @Test
    void aUnetRunStreamsEveryStepStoresItsCheckpointsAndOutputAndACallAgainResumesFromTheLast() {
        TrainJob job = frozenTextEncoderJob("unet-run", "unet");

        List<TrainProgress> messages = train(channel, job);

        List<TrainProgress> progress = ofType(messages, "progress");
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), steps(messages, "progress"));
        for (TrainProgress p : progress) {
            assertEquals(6, p.getTotalSteps());
            assertTrue(Double.isFinite(p.getLossesOrThrow("loss")) && Double.isFinite(p.getLossesOrThrow("grad_norm")),
                    p.getLossesMap().toString());
            assertTrue(p.getLearningRate() > 0 && p.getSamplesPerSecond() > 0, p.toString());
        }
        System.out.printf("denoiser service unet run: loss step 1 %.4f, step 6 %.4f%n",
                progress.get(0).getLossesOrThrow("loss"), progress.get(5).getLossesOrThrow("loss"));

        assertEquals(List.of(3L, 6L), steps(messages, "checkpoint"));
        assertEquals("training/unet-run/checkpoints/6/", ofType(messages, "checkpoint").get(1).getCheckpoint());
        List<String> keys = bucket.keys("training/unet-run/");
        assertTrue(keys.contains("training/unet-run/checkpoints/3/state.json"), keys.toString());
        assertTrue(keys.contains("training/unet-run/checkpoints/6/state.json"), keys.toString());
        assertTrue(keys.contains("training/unet-run/checkpoints/6/optimizer.unet.safetensors"), keys.toString());

        assertEquals(List.of(3L, 6L), steps(messages, "sample"));
        TrainProgress sample = ofType(messages, "sample").get(1);
        assertTrue(sample.hasSampleLatents() && !sample.hasSampleImages());
        assertEquals(List.of(1L, 4L, 8L, 8L), sample.getSampleLatents().getShapeList());

        TrainProgress completed = messages.get(messages.size() - 1);
        assertEquals("completed", completed.getType());
        assertEquals("training/unet-run/output/", completed.getOutputPrefix());
        assertTrue(keys.contains("training/unet-run/output/unet/config.json"), keys.toString());
        assertTrue(keys.contains("training/unet-run/output/unet/diffusion_pytorch_model.safetensors"), keys.toString());
        assertFalse(keys.stream().anyMatch(k -> k.startsWith("training/unet-run/output/text_encoder/")),
                "a frozen text encoder is not part of the output");
        assertFalse(Files.exists(Path.of("target", "training", "unet-run")), "the work directory is deleted");

        // the same job again: the run resumes from its step-6 checkpoint, which is its last step, and completes
        List<TrainProgress> again = train(channel, job);

        assertEquals(List.of("completed"), again.stream().map(TrainProgress::getType).toList());
        assertEquals("training/unet-run/output/", again.get(0).getOutputPrefix());
        assertTrue(notes(again).contains("resuming from the checkpoint of step 6"), notes(again).toString());
    }

    @Test
    void aRunWhoseCallerCancelledStopsAndTheNextCallResumesFromItsLastCheckpoint() {
        // a refiner with a text encoder trained jointly, both from scratch
        TrainingRequest request = request("refiner-run", "refiner").toBuilder()
                .setTrainTextEncoder(true)
                .setFromScratch(true)
                .setCheckpointingSteps(2)
                .clearValidationPrompts()
                .build();
        TrainJob job = job(request).clearEmbeddingsKey().build();

        List<TrainProgress> cut = new ArrayList<>();
        Context.CancellableContext call = Context.current().withCancellation();
        StatusRuntimeException cancelled = assertThrows(StatusRuntimeException.class, () -> call.run(() -> {
            Iterator<TrainProgress> stream = TrainerServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(TrainingCalls.RUN_DEADLINE_SECONDS, TimeUnit.SECONDS).train(job);
            while (stream.hasNext()) {
                TrainProgress p = stream.next();
                cut.add(p);
                if (p.getType().equals("checkpoint")) {
                    call.cancel(null);
                }
            }
        }));
        assertEquals(Status.Code.CANCELLED, cancelled.getStatus().getCode());
        assertEquals(List.of(2L), steps(cut, "checkpoint"));

        // the next call waits for the cancelled run to stop, then continues after its last stored checkpoint
        List<TrainProgress> resumed = train(channel, job);

        Matcher resuming = notes(resumed).stream().map(RESUMING::matcher).filter(Matcher::matches).findFirst()
                .orElseThrow(() -> new AssertionError("no resumption note in " + notes(resumed)));
        long from = Long.parseLong(resuming.group(1));
        assertTrue(from >= 2 && from < 6, "resumed from step " + from);
        List<Long> progressSteps = steps(resumed, "progress");
        assertEquals(from + 1, progressSteps.get(0), "the first step after the checkpoint comes first");
        assertEquals(6L, progressSteps.get(progressSteps.size() - 1));
        System.out.printf("denoiser service refiner run: cancelled after step %d, resumed from step %d%n",
                steps(cut, "progress").get(steps(cut, "progress").size() - 1), from);
        TrainProgress completed = resumed.get(resumed.size() - 1);
        assertEquals("completed", completed.getType());
        List<String> keys = bucket.keys(completed.getOutputPrefix());
        assertTrue(keys.contains("training/refiner-run/output/text_encoder/model.safetensors"), keys.toString());
        assertTrue(keys.contains("training/refiner-run/output/unet/diffusion_pytorch_model.safetensors"),
                keys.toString());
    }

    @Test
    void aVaeRunIsRefusedNamingKind() {
        assertStatus(Status.Code.INVALID_ARGUMENT, "kind: ", () -> train(channel,
                frozenTextEncoderJob("unet-wrong-kind", "vae")));
    }

    @Test
    void missingOrMismatchedInputsAreRefusedNamingTheirField() {
        assertStatus(Status.Code.INVALID_ARGUMENT, "embeddings_key: ", () -> train(channel,
                frozenTextEncoderJob("unet-no-embeddings", "unet").toBuilder().clearEmbeddingsKey().build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "latents_key: ", () -> train(channel,
                frozenTextEncoderJob("unet-no-latents", "unet").toBuilder().setLatentsKey("no/such.safetensors")
                        .build()));
        // the embeddings file holds one validation row; two prompts do not fit it
        assertStatus(Status.Code.INVALID_ARGUMENT, "embeddings_key: ", () -> train(channel, job(
                request("unet-two-prompts", "unet").toBuilder().addValidationPrompts("a blue square").build())
                .build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "max_train_steps: ", () -> train(channel, job(
                request("unet-no-steps", "unet").toBuilder().setMaxTrainSteps(0).build()).build()));
        assertStatus(Status.Code.NOT_FOUND, "no-such-model", () -> train(channel, job(
                request("unet-no-model", "unet").toBuilder().setBaseModel(ModelRef.newBuilder()
                        .setName("no-such-model")).build()).build()));
    }

    /** Six steps of batch 2 from the default model (tiny-sd), checkpoints and a validation sample every three. */
    private TrainJob frozenTextEncoderJob(String runId, String kind) {
        return job(request(runId, kind)).build();
    }

    private TrainingRequest request(String runId, String kind) {
        return TrainingRequest.newBuilder()
                .setRunId(runId)
                .setKind(kind)
                .setDataset("unet-shapes")
                .setOutputModel(ModelRef.newBuilder().setName("trained-unet").setVersion("1"))
                .setMaxTrainSteps(6)
                .setCheckpointingSteps(3)
                .setTrainBatchSize(2)
                .setLearningRate(1e-3)
                .addValidationPrompts("a red circle")
                .setSeed(11)
                .build();
    }

    private TrainJob.Builder job(TrainingRequest request) {
        String embeddingsKey = "training/" + request.getRunId() + "/embeddings.safetensors";
        bucket.uploadFile(INPUTS.resolve("embeddings.safetensors"), embeddingsKey);
        TrainJob.Builder job = TrainJob.newBuilder().setRequest(request)
                .setLatentsKey(DATASET + "latents/tiny-sd-1-64.safetensors")
                .setEmbeddingsKey(embeddingsKey);
        for (Dataset.Entry entry : dataset.entries()) {
            job.addCaptions(entry.caption()).addImageKeys(DATASET + entry.fileName());
        }
        return job;
    }

    private static NDArray normal(NDManager manager, Random random, Shape shape, float scale) {
        float[] values = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian() * scale;
        }
        return manager.create(values, shape);
    }
}
