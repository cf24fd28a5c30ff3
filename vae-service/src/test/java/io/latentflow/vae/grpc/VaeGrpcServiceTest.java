package io.latentflow.vae.grpc;

import static io.latentflow.service.testing.ServiceAssertions.assertStatus;
import static io.latentflow.service.testing.ServiceAssertions.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import io.grpc.Status;
import io.latentflow.proto.ModelRef;
import io.latentflow.proto.Tensor;
import io.latentflow.proto.Tensors;
import io.latentflow.proto.VaeDecodeRequest;
import io.latentflow.proto.VaeDecodeResponse;
import io.latentflow.proto.VaeEncodeRequest;
import io.latentflow.proto.VaeEncodeResponse;
import io.latentflow.proto.VaeServiceGrpc;
import io.latentflow.service.testing.ServiceAssertions;
import io.latentflow.service.testing.ServiceGrpcTest;
import io.latentflow.service.testing.ServiceHttp;
import io.quarkus.test.junit.QuarkusTest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class VaeGrpcServiceTest extends ServiceGrpcTest {

    /** A float32 port of the VAE agrees with diffusers' to ~1e-6; 1e-4 is the agreed bound. */
    private static final float TOLERANCE = 1e-4f;
    private static final float SCALING_FACTOR = 0.18215f;
    private static final ModelRef TINY_SD = ModelRef.newBuilder().setName("tiny-sd").setVersion("1").build();

    private VaeServiceGrpc.VaeServiceBlockingStub vae;

    @BeforeEach
    void stub() {
        vae = VaeServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void decodingScaledLatentsMatchesDiffusers() {
        VaeDecodeResponse response = vae.decode(VaeDecodeRequest.newBuilder()
                .setModel(TINY_SD)
                .setLatents(Tensors.toProto(oracle.get("case0.expected_latents")))
                .build());

        assertClose(oracle.get("case0.expected_decoded"), response.getImages());
    }

    @Test
    void encodingGivesThePosteriorAndTheScaledMean() {
        VaeEncodeResponse response = vae.encode(VaeEncodeRequest.newBuilder()
                .setModel(TINY_SD)
                .setImages(Tensors.toProto(oracle.get("case2.init_image")))
                .build());

        NDArray mean = oracle.get("case2.vae_posterior_mean");
        assertClose(mean, response.getMean());
        NDArray std = Tensors.toNDArray(response.getLogvar(), manager).mul(0.5f).exp();
        assertClose(oracle.get("case2.vae_posterior_std"), Tensors.toProto(std));
        assertClose(mean.mul(SCALING_FACTOR), response.getLatents());
    }

    @Test
    void encodingWithNoiseDrawsTheScaledLatentsOfDiffusers() {
        VaeEncodeResponse response = vae.encode(VaeEncodeRequest.newBuilder()
                .setImages(Tensors.toProto(oracle.get("case2.init_image")))
                .setNoise(Tensors.toProto(oracle.get("case2.noise_vae_posterior")))
                .build());

        assertClose(oracle.get("case2.init_latents"), response.getLatents());
    }

    @Test
    void malformedFieldsAreRejectedByName() {
        NDArray image = oracle.get("case2.init_image");

        assertStatus(Status.Code.INVALID_ARGUMENT, "images", () -> vae.encode(VaeEncodeRequest.newBuilder()
                .setImages(Tensors.toProto(image.get(":, :, 0:60, :"))).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "images", () -> vae.encode(VaeEncodeRequest.newBuilder().build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "noise", () -> vae.encode(VaeEncodeRequest.newBuilder()
                .setImages(Tensors.toProto(image))
                .setNoise(Tensors.toProto(oracle.get("case2.noise_vae_posterior").get(":, 0:3"))).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "latents", () -> vae.decode(VaeDecodeRequest.newBuilder()
                .setLatents(Tensors.toProto(oracle.get("case0.expected_latents").get(":, 0:3"))).build()));
    }

    @Test
    void anUnknownModelIsNotFound() {
        assertStatus(Status.Code.NOT_FOUND, "no-such-model", () -> vae.decode(VaeDecodeRequest.newBuilder()
                .setModel(ModelRef.newBuilder().setName("no-such-model"))
                .setLatents(Tensors.toProto(oracle.get("case0.expected_latents"))).build()));
    }

    @Test
    void readinessReportsTheLoadedDefaultModel() {
        awaitCondition(() -> ServiceHttp.get(root, "/q/health/ready").statusCode() == 200);

        String body = ServiceHttp.get(root, "/q/health/ready").body().replace(" ", "");
        assertTrue(body.contains("\"default\":\"tiny-sd/1\""), body);
    }

    @Test
    void callsAreTimedInTheMetrics() {
        vae.decode(VaeDecodeRequest.newBuilder()
                .setLatents(Tensors.toProto(oracle.get("case0.expected_latents"))).build());

        String metrics = ServiceHttp.get(root, "/q/metrics").body();
        assertTrue(metrics.contains("latentflow_vae_decode_seconds_count{model=\"tiny-sd/1\""), metrics);
    }

    private static void assertClose(NDArray expected, Tensor actual) {
        ServiceAssertions.assertClose(expected, Tensors.toNDArray(actual, manager), TOLERANCE);
    }
}
