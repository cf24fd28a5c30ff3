package io.latentflow.vae.grpc;

import static io.latentflow.service.testing.ServiceAssertions.assertStatus;
import static io.latentflow.service.testing.TrainingCalls.notes;
import static io.latentflow.service.testing.TrainingCalls.ofType;
import static io.latentflow.service.testing.TrainingCalls.steps;
import static io.latentflow.service.testing.TrainingCalls.train;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.latentflow.core.dataset.Dataset;
import io.latentflow.core.dataset.ShapesDataset;
import io.latentflow.proto.ModelRef;
import io.latentflow.proto.TrainJob;
import io.latentflow.proto.TrainProgress;
import io.latentflow.proto.TrainingRequest;
import io.latentflow.service.testing.S3ServerResource;
import io.latentflow.service.testing.TestBucket;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = S3ServerResource.class,
        initArgs = @ResourceArg(name = S3ServerResource.CONFIG_PREFIX, value = "vae"))
class VaeTrainerGrpcServiceTest {

    private static final String DATASET = "datasets/vae-shapes/";
    private static final Path DATASET_DIR = Path.of("target", "test-datasets", "vae-shapes");

    @TestHTTPResource("/")
    URL root;

    @ConfigProperty(name = "vae.store.endpoint")
    String endpoint;

    private ManagedChannel channel;
    private TestBucket bucket;

    @BeforeEach
    void connect() {
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", root.getPort()).usePlaintext().build();
        bucket = new TestBucket(endpoint);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    @Test
    void aVaeRunStreamsEveryStepStoresItsCheckpointsAndOutputAndACallAgainResumesFromTheLast() {
        TrainJob job = job("vae-run", "vae");

        List<TrainProgress> messages = train(channel, job);

        List<TrainProgress> progress = ofType(messages, "progress");
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), steps(messages, "progress"));
        for (TrainProgress p : progress) {
            assertEquals(6, p.getTotalSteps());
            assertTrue(Double.isFinite(p.getLossesOrThrow("loss")) && Double.isFinite(p.getLossesOrThrow("rec_loss")),
                    p.getLossesMap().toString());
            assertTrue(p.getLearningRate() > 0 && p.getSamplesPerSecond() > 0, p.toString());
        }
        // disc_start 3: the discriminator trains from step 4 on
        assertFalse(progress.get(2).containsLosses("d_loss"));
        assertTrue(progress.get(3).containsLosses("d_loss"));
        System.out.printf("vae service run: rec_loss step 1 %.4f, step 6 %.4f%n",
                progress.get(0).getLossesOrThrow("rec_loss"), progress.get(5).getLossesOrThrow("rec_loss"));

        assertEquals(List.of(3L, 6L), steps(messages, "checkpoint"));
        assertEquals("training/vae-run/checkpoints/3/", ofType(messages, "checkpoint").get(0).getCheckpoint());
        List<String> keys = bucket.keys("training/vae-run/");
        assertTrue(keys.contains("training/vae-run/checkpoints/3/state.json"), keys.toString());
        assertTrue(keys.contains("training/vae-run/checkpoints/6/state.json"), keys.toString());
        assertTrue(keys.contains("training/vae-run/checkpoints/6/discriminator/diffusion_pytorch_model.safetensors"),
                keys.toString());

        assertEquals(List.of(3L, 6L), steps(messages, "sample"));
        TrainProgress sample = ofType(messages, "sample").get(0);
        assertTrue(sample.hasSampleImages() && !sample.hasSampleLatents());
        assertEquals(List.of(4L, 3L, 64L, 64L), sample.getSampleImages().getShapeList());

        TrainProgress completed = messages.get(messages.size() - 1);
        assertEquals("completed", completed.getType());
        assertEquals(6, completed.getStep());
        assertEquals("training/vae-run/output/", completed.getOutputPrefix());
        assertTrue(keys.contains("training/vae-run/output/vae/config.json"), keys.toString());
        assertTrue(keys.contains("training/vae-run/output/vae/diffusion_pytorch_model.safetensors"), keys.toString());
        assertTrue(notes(messages).stream().anyMatch(n -> n.contains("perceptual (LPIPS) loss off")),
                notes(messages).toString());
        assertFalse(Files.exists(Path.of("target", "training", "vae-run")), "the work directory is deleted");

        // the same job again: the run resumes from its step-6 checkpoint, which is its last step, and completes
        List<TrainProgress> again = train(channel, job);

        assertEquals(List.of("completed"), again.stream().map(TrainProgress::getType).toList());
        assertEquals("training/vae-run/output/", again.get(0).getOutputPrefix());
        assertTrue(notes(again).contains("resuming from the checkpoint of step 6"), notes(again).toString());
    }

    @Test
    void unetAndRefinerRunsAreRefusedNamingKind() {
        for (String kind : List.of("unet", "refiner")) {
            assertStatus(Status.Code.INVALID_ARGUMENT, "kind: ", () -> train(channel, job("vae-wrong-kind", kind)));
        }
        assertStatus(Status.Code.INVALID_ARGUMENT, "kind: ", () -> train(channel, job("vae-no-kind", "vea")));
    }

    /**
     * Six steps on eight 64 px shapes images in batches of two, from the remote-tiny model that only the object store
     * holds (so its every component is fetched), checkpoints every three steps.
     */
    private TrainJob job(String runId, String kind) {
        Dataset dataset = ShapesDataset.write(DATASET_DIR, 8, 64, 5);
        bucket.upload(dataset.dir(), DATASET);
        TrainJob.Builder job = TrainJob.newBuilder().setRequest(TrainingRequest.newBuilder()
                .setRunId(runId)
                .setKind(kind)
                .setDataset("vae-shapes")
                .setBaseModel(ModelRef.newBuilder().setName(S3ServerResource.REMOTE_MODEL))
                .setOutputModel(ModelRef.newBuilder().setName("trained-vae").setVersion("1"))
                .setMaxTrainSteps(6)
                .setCheckpointingSteps(3)
                .setTrainBatchSize(2)
                .setLearningRate(1e-3)
                .setDiscStart(3)
                .setDiscNumLayers(2)
                .setDiscNdf(8)
                .setSeed(2));
        for (Dataset.Entry entry : dataset.entries()) {
            job.addCaptions(entry.caption()).addImageKeys(DATASET + entry.fileName());
        }
        return job.build();
    }
}
