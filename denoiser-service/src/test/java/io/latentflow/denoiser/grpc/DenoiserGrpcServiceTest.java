package io.latentflow.denoiser.grpc;

import static io.latentflow.service.testing.ServiceAssertions.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.latentflow.proto.Conditioning;
import io.latentflow.proto.DenoiserServiceGrpc;
import io.latentflow.proto.ModelRef;
import io.latentflow.proto.PredictRequest;
import io.latentflow.proto.PredictResponse;
import io.latentflow.proto.Tensor;
import io.latentflow.proto.TensorRef;
import io.latentflow.proto.Tensors;
import io.latentflow.service.testing.ServiceAssertions;
import io.latentflow.service.testing.ServiceGrpcTest;
import io.latentflow.service.testing.ServiceHttp;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class DenoiserGrpcServiceTest extends ServiceGrpcTest {

    /** Stepwise UNet outputs of a float32 port agree with diffusers' to ~1e-6; 1e-4 is the agreed bound. */
    private static final float TOLERANCE = 1e-4f;

    @Inject
    InMemorySpanExporter spans;

    private DenoiserServiceGrpc.DenoiserServiceBlockingStub denoiser;

    @BeforeEach
    void stub() {
        denoiser = DenoiserServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void guidedPredictionMatchesDiffusersFirstStep() {
        PredictResponse response = denoiser.predict(firstStep("case0", 7.5f, 0f));

        assertTrue(response.getMissingKeysList().isEmpty());
        assertClose(oracle.get("case0.step_noise_pred").get("0"), response.getPrediction());
    }

    @Test
    void guidanceRescaleMatchesDiffusersFirstStep() {
        PredictResponse response = denoiser.predict(firstStep("case1", 7.5f, 0.7f));

        assertClose(oracle.get("case1.step_noise_pred").get("0"), response.getPrediction());
    }

    @Test
    void withoutUncondThePredictionIsTheConditionalUnetOutput() {
        PredictRequest request = firstStep("case0", 7.5f, 0f).toBuilder().clearUncond().build();

        PredictResponse response = denoiser.predict(request);

        assertClose(oracle.get("case0.step_unet_output").get("0, 1:2"), response.getPrediction());
    }

    @Test
    void aBatchTakesOneTimestepPerSampleAndBroadcastsOneContext() {
        NDArray latents = oracle.get("case0.step_unet_sample").get("0:2, 1").squeeze(1);
        float[] timesteps = oracle.get("case0.timesteps").get("0:2").toType(DataType.FLOAT32, false).toFloatArray();
        PredictRequest request = PredictRequest.newBuilder()
                .setSample(Tensors.toProto(latents))
                .addTimesteps(timesteps[0])
                .addTimesteps(timesteps[1])
                .setCond(inline(oracle.get("case0.prompt_embeds")))
                .build();

        PredictResponse response = denoiser.predict(request);

        NDArray expected = oracle.get("case0.step_unet_output").get("0:2, 1").squeeze(1);
        assertClose(expected, response.getPrediction());
    }

    @Test
    void concurrentCallsEachGetTheirOwnPrediction() throws Exception {
        DenoiserServiceGrpc.DenoiserServiceFutureStub async =
                DenoiserServiceGrpc.newFutureStub(channel).withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
        List<Integer> steps = List.of(0, 1, 2, 3);
        List<ListenableFuture<PredictResponse>> responses = new ArrayList<>();
        for (int step : steps) {
            responses.add(async.predict(step("case0", step, 7.5f, 0f)));
        }

        for (int i = 0; i < steps.size(); i++) {
            PredictResponse response = responses.get(i).get(60, TimeUnit.SECONDS);
            assertClose(oracle.get("case0.step_noise_pred").get(Integer.toString(steps.get(i))),
                    response.getPrediction());
        }
    }

    @Test
    void aKeyWithoutTensorIsReportedMissingUntilTheTensorIsSent() {
        // a context no other test sends, so that its key cannot be cached yet
        Tensor context = Tensors.toProto(oracle.get("case0.prompt_embeds").mul(0.5f));
        String key = Tensors.contentKey(context);
        PredictRequest byKey = firstStep("case0", 1f, 0f).toBuilder()
                .clearUncond()
                .setCond(Conditioning.newBuilder().setContext(TensorRef.newBuilder().setKey(key)))
                .build();

        PredictResponse missing = denoiser.predict(byKey);

        assertEquals(List.of(key), missing.getMissingKeysList());
        assertFalse(missing.hasPrediction());

        PredictResponse inline = denoiser.predict(byKey.toBuilder()
                .setCond(Conditioning.newBuilder().setContext(TensorRef.newBuilder().setKey(key).setTensor(context)))
                .build());
        PredictResponse cached = denoiser.predict(byKey);

        assertTrue(inline.hasPrediction());
        assertTrue(cached.getMissingKeysList().isEmpty());
        assertEquals(inline.getPrediction(), cached.getPrediction());
    }

    @Test
    void aKeyThatIsNotTheTensorsContentKeyIsRejected() {
        PredictRequest request = firstStep("case0", 1f, 0f).toBuilder()
                .clearUncond()
                .setCond(Conditioning.newBuilder().setContext(TensorRef.newBuilder().setKey("abc")
                        .setTensor(Tensors.toProto(oracle.get("case0.prompt_embeds")))))
                .build();

        assertStatus(Status.Code.INVALID_ARGUMENT, "cond.context.key", request);
    }

    @Test
    void malformedFieldsAreRejectedByName() {
        PredictRequest valid = firstStep("case0", 7.5f, 0f);
        NDArray threeChannels = oracle.get("case0.step_unet_sample").get("0, 1:2, 0:3");

        assertStatus(Status.Code.INVALID_ARGUMENT, "sample",
                valid.toBuilder().setSample(Tensors.toProto(threeChannels)).build());
        assertStatus(Status.Code.INVALID_ARGUMENT, "timesteps",
                valid.toBuilder().addTimesteps(1f).addTimesteps(2f).build());
        assertStatus(Status.Code.INVALID_ARGUMENT, "cond.context", valid.toBuilder().clearCond().build());
        assertStatus(Status.Code.INVALID_ARGUMENT, "uncond.context", valid.toBuilder()
                .setUncond(inline(oracle.get("case0.negative_prompt_embeds").get(":, 0:10"))).build());
        assertStatus(Status.Code.INVALID_ARGUMENT, "cond.context", valid.toBuilder()
                .setCond(inline(oracle.get("case0.prompt_embeds").get(":, :, 0:16"))).build());
    }

    @Test
    void anUnknownModelIsNotFound() {
        PredictRequest request = firstStep("case0", 7.5f, 0f).toBuilder()
                .setModel(ModelRef.newBuilder().setName("no-such-model"))
                .build();

        assertStatus(Status.Code.NOT_FOUND, "no-such-model", request);
        assertStatus(Status.Code.NOT_FOUND, "tiny-sd/7", request.toBuilder()
                .setModel(ModelRef.newBuilder().setName("tiny-sd").setVersion("7")).build());
    }

    @Test
    void readinessReportsTheLoadedDefaultModel() throws Exception {
        awaitCondition(() -> ServiceHttp.get(root, "/q/health/ready").statusCode() == 200);

        String body = ServiceHttp.get(root, "/q/health/ready").body();
        assertTrue(body.contains("\"default\": \"tiny-sd/1\"") || body.contains("\"default\":\"tiny-sd/1\""), body);
    }

    @Test
    void predictionsAreTimedInTheMetrics() {
        denoiser.predict(firstStep("case0", 7.5f, 0f));

        String metrics = ServiceHttp.get(root, "/q/metrics").body();
        assertTrue(metrics.contains("latentflow_denoiser_predict_seconds_count{guided=\"true\",model=\"tiny-sd/1\""),
                metrics);
        assertTrue(metrics.contains("latentflow_models_loaded"), metrics);
    }

    @Test
    void theJobIdSentAsMetadataIsASpanAttribute() {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("latentflow-job-id", Metadata.ASCII_STRING_MARSHALLER), "job-42");

        denoiser.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .predict(firstStep("case0", 7.5f, 0f));

        AttributeKey<String> jobId = AttributeKey.stringKey("latentflow.job_id");
        awaitCondition(() -> spans.getFinishedSpanItems().stream()
                .anyMatch(span -> "job-42".equals(span.getAttributes().get(jobId))));
    }

    /** Step 0 of an oracle case: the text half of the UNet input, its timestep, prompt and negative prompt. */
    private static PredictRequest firstStep(String name, float guidanceScale, float guidanceRescale) {
        return step(name, 0, guidanceScale, guidanceRescale);
    }

    /** Step {@code index} of an oracle case: the text half of the UNet input, its timestep and both prompts. */
    private static PredictRequest step(String name, int index, float guidanceScale, float guidanceRescale) {
        NDArray sample = oracle.get(name + ".step_unet_sample").get(index + ", 1:2");
        float timestep = oracle.get(name + ".timesteps").getLong(index);
        return PredictRequest.newBuilder()
                .setModel(ModelRef.newBuilder().setName("tiny-sd").setVersion("1"))
                .setSample(Tensors.toProto(sample))
                .addTimesteps(timestep)
                .setCond(inline(oracle.get(name + ".prompt_embeds")))
                .setUncond(inline(oracle.get(name + ".negative_prompt_embeds")))
                .setGuidanceScale(guidanceScale)
                .setGuidanceRescale(guidanceRescale)
                .build();
    }

    private static Conditioning inline(NDArray context) {
        Tensor tensor = Tensors.toProto(context);
        return Conditioning.newBuilder()
                .setContext(TensorRef.newBuilder().setKey(Tensors.contentKey(tensor)).setTensor(tensor))
                .build();
    }

    private static void assertClose(NDArray expected, Tensor actual) {
        ServiceAssertions.assertClose(expected, Tensors.toNDArray(actual, manager), TOLERANCE);
    }

    private void assertStatus(Status.Code code, String mentioned, PredictRequest request) {
        ServiceAssertions.assertStatus(code, mentioned, () -> denoiser.predict(request));
    }
}
