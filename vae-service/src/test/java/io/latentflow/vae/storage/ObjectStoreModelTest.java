package io.latentflow.vae.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(S3ServerResource.class)
class ObjectStoreModelTest {

    @TestHTTPResource("/")
    URL root;

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
            Path cached = Path.of("target", "model-cache", S3ServerResource.REMOTE_MODEL,
                    S3ServerResource.REMOTE_VERSION);
            assertTrue(Files.isRegularFile(cached.resolve("model_index.json")));
            assertTrue(Files.isRegularFile(cached.resolve("vae").resolve("diffusion_pytorch_model.safetensors")));
            assertFalse(Files.exists(cached.resolve("unet")), "only the VAE component is fetched");
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
