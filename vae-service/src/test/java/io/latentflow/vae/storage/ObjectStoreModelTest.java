package io.latentflow.vae.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.latentflow.proto.ModelRef;
import io.latentflow.proto.Tensors;
import io.latentflow.proto.VaeDecodeRequest;
import io.latentflow.proto.VaeDecodeResponse;
import io.latentflow.proto.VaeServiceGrpc;
import io.latentflow.service.storage.ObjectStore;
import io.latentflow.service.storage.ObjectStoreModels;
import io.latentflow.service.testing.S3ServerResource;
import io.latentflow.service.testing.TestBucket;
import io.latentflow.vae.config.VaeConfig;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = S3ServerResource.class,
        initArgs = @ResourceArg(name = S3ServerResource.CONFIG_PREFIX, value = "vae"))
class ObjectStoreModelTest {

    @TestHTTPResource("/")
    URL root;

    @Inject
    VaeConfig config;

    @Test
    void aModelOnlyInTheObjectStoreIsFetchedWithTheComponentsThisServiceNeeds() throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", root.getPort()).usePlaintext().build();
        try (NDManager manager = NDManager.newBaseManager()) {
            VaeServiceGrpc.VaeServiceBlockingStub vae =
                    VaeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
            NDArray latents = manager.randomNormal(new Shape(1, 4, 8, 8));
            VaeDecodeRequest.Builder request = VaeDecodeRequest.newBuilder().setLatents(Tensors.toProto(latents));

            VaeDecodeResponse local = vae.decode(request
                    .setModel(ModelRef.newBuilder().setName("tiny-sd").setVersion("1")).build());
            // no version: the highest the object store holds
            VaeDecodeResponse remote = vae.decode(request
                    .setModel(ModelRef.newBuilder().setName(S3ServerResource.REMOTE_MODEL)).build());

            // the store holds a copy of tiny-sd/1, so both decode to the same images
            assertEquals(local.getImages(), remote.getImages());
            Path cached = onlyRevision(Path.of("target", "model-cache", S3ServerResource.REMOTE_MODEL,
                    S3ServerResource.REMOTE_VERSION));
            assertTrue(Files.isRegularFile(cached.resolve("model_index.json")));
            assertTrue(Files.isRegularFile(cached.resolve("vae").resolve("diffusion_pytorch_model.safetensors")));
            assertFalse(Files.exists(cached.resolve("unet")), "only the VAE component is fetched");
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aVersionPublishedAgainIsFetchedAgainNotServedFromTheCache() throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", root.getPort()).usePlaintext().build();
        TestBucket bucket = new TestBucket(config.store().endpoint().orElseThrow());
        Path tinySd = Path.of("..", "models", "tiny-sd", "1");
        try (NDManager manager = NDManager.newBaseManager()) {
            VaeServiceGrpc.VaeServiceBlockingStub vae =
                    VaeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
            VaeDecodeRequest request = VaeDecodeRequest.newBuilder()
                    .setLatents(Tensors.toProto(manager.randomNormal(new Shape(1, 4, 8, 8))))
                    .setModel(ModelRef.newBuilder().setName("republished").setVersion("1")).build();
            bucket.upload(tinySd, "models/republished/1/");
            VaeDecodeResponse first = vae.decode(request);

            // the same version published again with another VAE: here its latents are scaled differently
            Path vaeConfig = tinySd.resolve("vae").resolve("config.json");
            Path rescaled = Files.writeString(Files.createTempFile("config", ".json"), Files.readString(vaeConfig)
                    .replaceFirst("\"scaling_factor\"\\s*:\\s*[0-9.eE+-]+", "\"scaling_factor\": 0.05"));
            // model_index.json is written last by every publish; here with new bytes, so a new ETag
            Path index = Files.writeString(Files.createTempFile("model_index", ".json"),
                    Files.readString(tinySd.resolve("model_index.json")).replaceFirst("\\{", "{\"republished\": true,"));
            bucket.uploadFile(rescaled, "models/republished/1/vae/config.json");
            bucket.uploadFile(index, "models/republished/1/model_index.json");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            VaeDecodeResponse second = vae.decode(request);
            while (second.getImages().equals(first.getImages()) && System.nanoTime() < deadline) {
                second = vae.decode(request); // until the version's revision is checked again (version-refresh)
            }
            assertNotEquals(first.getImages(), second.getImages(), "the republished VAE decodes");
            Path cached = onlyRevision(Path.of("target", "model-cache", "republished", "1"));
            assertTrue(Files.readString(cached.resolve("vae").resolve("config.json")).contains("0.05"));
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void onlyVersionsWhoseModelIndexExistsAreListed() throws Exception {
        // version 2 is being published: its components are there, its model_index.json (written last) not yet
        Path index = Files.writeString(Files.createTempFile("model_index", ".json"), "{}");
        Path component = Files.writeString(Files.createTempFile("config", ".json"), "{}");
        TestBucket bucket = new TestBucket(config.store().endpoint().orElseThrow());
        bucket.uploadFile(index, "models/partly-published/1/model_index.json");
        bucket.uploadFile(component, "models/partly-published/1/vae/config.json");
        bucket.uploadFile(component, "models/partly-published/2/vae/config.json");

        ObjectStoreModels models = new ObjectStoreModels(ObjectStore.of(config.store()).orElseThrow());

        assertEquals(List.of("1"), models.versions("partly-published"));
    }

    /** The one cached copy of a version: a folder per published revision, earlier ones removed. */
    private static Path onlyRevision(Path version) throws IOException {
        try (Stream<Path> revisions = Files.list(version)) {
            List<Path> folders = revisions.filter(path -> !path.getFileName().toString().startsWith(".")).toList();
            assertEquals(1, folders.size(), "cached revisions of " + version + ": " + folders);
            return folders.get(0);
        }
    }
}
