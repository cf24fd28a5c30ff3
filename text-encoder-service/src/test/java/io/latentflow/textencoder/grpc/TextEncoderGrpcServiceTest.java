package io.latentflow.textencoder.grpc;

import static io.latentflow.service.testing.ServiceAssertions.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import io.grpc.Status;
import io.latentflow.proto.EncodeTextRequest;
import io.latentflow.proto.EncodeTextResponse;
import io.latentflow.proto.ModelRef;
import io.latentflow.proto.Tensors;
import io.latentflow.proto.TextEncoderServiceGrpc;
import io.latentflow.service.testing.ServiceAssertions;
import io.latentflow.service.testing.ServiceGrpcTest;
import io.latentflow.service.testing.ServiceHttp;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class TextEncoderGrpcServiceTest extends ServiceGrpcTest {

    /** A float32 port of the CLIP text model agrees with transformers' to ~1e-6; 1e-4 is the agreed bound. */
    private static final float TOLERANCE = 1e-4f;
    private static final String PROMPT = "a red circle on a blue background";
    private static final ModelRef TINY_SD = ModelRef.newBuilder().setName("tiny-sd").setVersion("1").build();

    private TextEncoderServiceGrpc.TextEncoderServiceBlockingStub textEncoder;

    @BeforeEach
    void stub() {
        textEncoder = TextEncoderServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void hiddenStatesMatchTransformers() {
        EncodeTextResponse response = textEncoder.encode(
                EncodeTextRequest.newBuilder().setModel(TINY_SD).addPrompts(PROMPT).build());

        assertClose(oracle.get("case0.prompt_embeds"), Tensors.toNDArray(response.getHiddenStates(), manager));
        assertFalse(response.hasPooled());
        assertEquals(List.of(tokenCount("case0.prompt_input_ids")), response.getTokenCountsList());
    }

    @Test
    void aBatchEncodesEachPromptLikeAloneWithTheDefaultModel() {
        EncodeTextResponse response = textEncoder.encode(EncodeTextRequest.newBuilder()
                .addPrompts(PROMPT).addPrompts("").addPrompts("a green triangle").build());

        NDArray states = Tensors.toNDArray(response.getHiddenStates(), manager);
        assertEquals(3, states.getShape().get(0));
        assertClose(oracle.get("case0.prompt_embeds"), states.get("0:1"));
        assertClose(oracle.get("case0.negative_prompt_embeds"), states.get("1:2"));
        assertClose(oracle.get("case3.prompt_embeds"), states.get("2:3"));
        assertEquals(List.of(tokenCount("case0.prompt_input_ids"), tokenCount("case0.negative_input_ids"),
                tokenCount("case3.prompt_input_ids")), response.getTokenCountsList());
    }

    @Test
    void anEmptyOrOversizedPromptListIsRejected() {
        assertStatus(Status.Code.INVALID_ARGUMENT, "prompts", EncodeTextRequest.newBuilder().build());
        assertStatus(Status.Code.INVALID_ARGUMENT, "prompts",
                EncodeTextRequest.newBuilder().addAllPrompts(Collections.nCopies(65, PROMPT)).build());
    }

    @Test
    void anUnknownModelIsNotFound() {
        assertStatus(Status.Code.NOT_FOUND, "no-such-model", EncodeTextRequest.newBuilder()
                .setModel(ModelRef.newBuilder().setName("no-such-model")).addPrompts(PROMPT).build());
    }

    @Test
    void readinessReportsTheLoadedDefaultModel() {
        awaitCondition(() -> ServiceHttp.get(root, "/q/health/ready").statusCode() == 200);

        String body = ServiceHttp.get(root, "/q/health/ready").body().replace(" ", "");
        assertTrue(body.contains("\"default\":\"tiny-sd/1\""), body);
    }

    @Test
    void callsAreTimedInTheMetrics() {
        textEncoder.encode(EncodeTextRequest.newBuilder().addPrompts(PROMPT).build());

        String metrics = ServiceHttp.get(root, "/q/metrics").body();
        assertTrue(metrics.contains("latentflow_text_encoder_encode_seconds_count{model=\"tiny-sd/1\""), metrics);
    }

    /** Tokens before padding: the ids up to and including the first end token (999). */
    private static int tokenCount(String idsName) {
        long[] ids = oracle.get(idsName).toLongArray();
        int count = 0;
        while (ids[count] != 999) {
            count++;
        }
        return count + 1;
    }

    private static void assertClose(NDArray expected, NDArray actual) {
        ServiceAssertions.assertClose(expected, actual, TOLERANCE);
    }

    private void assertStatus(Status.Code code, String mentioned, EncodeTextRequest request) {
        ServiceAssertions.assertStatus(code, mentioned, () -> textEncoder.encode(request));
    }
}
