package io.latentflow.orchestrator.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.latentflow.proto.ModelRef;
import io.latentflow.proto.PredictRequest;
import io.latentflow.proto.PredictResponse;
import io.latentflow.proto.Tensor;
import io.latentflow.proto.TensorRef;
import io.latentflow.proto.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RemoteDenoiserTest {

    private static final ModelRef MODEL = ModelRef.newBuilder().setName("tiny-sd").setVersion("1").build();

    /**
     * The denoiser's side of the conditioning protocol: tensors sent inline are cached under their key, a request
     * naming an uncached key gets that key back as missing. The prediction is the sample times two.
     */
    private static final class Replica implements RemoteDenoiser.PredictCall {
        final Map<String, Tensor> cache = new HashMap<>();
        final List<PredictRequest> requests = new ArrayList<>();
        final NDManager manager;

        Replica(NDManager manager) {
            this.manager = manager;
        }

        @Override
        public PredictResponse predict(PredictRequest request) {
            requests.add(request);
            List<String> missing = new ArrayList<>();
            for (TensorRef ref : List.of(request.getCond().getContext(), request.getUncond().getContext())) {
                if (ref.hasTensor()) {
                    cache.put(ref.getKey(), ref.getTensor());
                } else if (!ref.getKey().isEmpty() && !cache.containsKey(ref.getKey())) {
                    missing.add(ref.getKey());
                }
            }
            if (!missing.isEmpty()) {
                return PredictResponse.newBuilder().addAllMissingKeys(missing).build();
            }
            NDArray sample = Tensors.toNDArray(request.getSample(), manager);
            return PredictResponse.newBuilder().setPrediction(Tensors.toProto(sample.mul(2))).build();
        }
    }

    private static Tensor context(NDManager manager, float value) {
        return Tensors.toProto(manager.full(new Shape(1, 4, 8), value));
    }

    @Test
    void sendsConditioningInlineOnceThenByKeyAndAgainAfterACacheMiss() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Replica replica = new Replica(manager);
            Tensor cond = context(manager, 1f);
            Tensor uncond = context(manager, 0f);
            RemoteDenoiser denoiser = new RemoteDenoiser(replica, MODEL, RemoteDenoiser.Branch.of(cond),
                    RemoteDenoiser.Branch.of(uncond), 7.5f, 0f, null);
            NDArray latents = manager.ones(new Shape(1, 4, 2, 2));

            NDArray first = denoiser.predict(latents, 901f);
            assertArrayEquals(new float[] {2, 2, 2, 2}, Arrays.copyOf(first.toFloatArray(), 4));
            PredictRequest inline = replica.requests.get(0);
            assertTrue(inline.getCond().getContext().hasTensor());
            assertTrue(inline.getUncond().getContext().hasTensor());
            assertEquals(Tensors.contentKey(cond), inline.getCond().getContext().getKey());
            assertEquals(List.of(901f), inline.getTimestepsList());
            assertEquals(7.5f, inline.getGuidanceScale());

            denoiser.predict(latents, 801f);
            PredictRequest byKey = replica.requests.get(1);
            assertFalse(byKey.getCond().getContext().hasTensor());
            assertFalse(byKey.getUncond().getContext().hasTensor());

            replica.cache.clear();
            NDArray afterMiss = denoiser.predict(latents, 701f);
            assertEquals(new Shape(1, 4, 2, 2), afterMiss.getShape());
            assertEquals(4, replica.requests.size(), "one refused call, one with the tensors inline again");
            assertTrue(replica.requests.get(3).getCond().getContext().hasTensor());
            assertEquals(1, denoiser.resends());
        }
    }

    @Test
    void sendsSdxlPooledEmbedsAndTimeIdsBesideTheContextOfEachBranch() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Replica replica = new Replica(manager);
            Tensor condPooled = Tensors.toProto(manager.full(new Shape(1, 8), 1f));
            Tensor uncondPooled = Tensors.toProto(manager.full(new Shape(1, 8), 0f));
            // a refiner's (original_h, original_w, crop_top, crop_left, aesthetic_score): the branches differ
            Tensor timeIds = Tensors.toProto(manager.create(new float[] {64, 64, 0, 0, 6}, new Shape(1, 5)));
            Tensor negativeTimeIds = Tensors.toProto(manager.create(new float[] {64, 64, 0, 0, 2.5f}, new Shape(1, 5)));
            RemoteDenoiser denoiser = new RemoteDenoiser(replica, MODEL,
                    new RemoteDenoiser.Branch(context(manager, 1f), condPooled, timeIds),
                    new RemoteDenoiser.Branch(context(manager, 0f), uncondPooled, negativeTimeIds), 7.5f, 0f, null);
            NDArray latents = manager.ones(new Shape(1, 4, 2, 2));

            denoiser.predict(latents, 901f);
            PredictRequest inline = replica.requests.get(0);
            assertEquals(condPooled, inline.getCond().getTextEmbeds().getTensor());
            assertEquals(uncondPooled, inline.getUncond().getTextEmbeds().getTensor());
            assertEquals(timeIds, inline.getCond().getTimeIds().getTensor());
            assertEquals(negativeTimeIds, inline.getUncond().getTimeIds().getTensor());

            denoiser.predict(latents, 801f);
            PredictRequest byKey = replica.requests.get(1);
            assertEquals(Tensors.contentKey(condPooled), byKey.getCond().getTextEmbeds().getKey());
            assertFalse(byKey.getCond().getTextEmbeds().hasTensor());
            assertFalse(byKey.getUncond().getTextEmbeds().hasTensor());
            assertFalse(byKey.getCond().getTimeIds().hasTensor());
        }
    }

    @Test
    void runsWithoutTheUnconditionalBranchWhenGuidanceIsOff() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Replica replica = new Replica(manager);
            RemoteDenoiser denoiser = new RemoteDenoiser(replica, MODEL,
                    RemoteDenoiser.Branch.of(context(manager, 1f)), null, 1f, 0f, null);
            denoiser.predict(manager.ones(new Shape(1, 4, 2, 2)), 500f);
            assertFalse(replica.requests.get(0).hasUncond());
        }
    }

    @Test
    void givesUpWhenTheServiceKeepsMissingTheConditioning() {
        try (NDManager manager = NDManager.newBaseManager()) {
            RemoteDenoiser.PredictCall forgetful = request -> PredictResponse.newBuilder()
                    .addMissingKeys(request.getCond().getContext().getKey()).build();
            RemoteDenoiser denoiser = new RemoteDenoiser(forgetful, MODEL,
                    RemoteDenoiser.Branch.of(context(manager, 1f)), null, 1f, 0f, null);
            assertThrows(IllegalStateException.class, () -> denoiser.predict(manager.ones(new Shape(1, 4, 2, 2)), 1f));
        }
    }

    @Test
    void appendsTheInpaintingChannelsToTheSampleOfANineChannelUnet() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Replica replica = new Replica(manager);
            // mask (1 channel) and masked-image latents (4 channels) beside 4 latent channels
            NDArray extra = manager.full(new Shape(1, 5, 2, 2), 3f);
            RemoteDenoiser denoiser = new RemoteDenoiser(replica, MODEL,
                    RemoteDenoiser.Branch.of(context(manager, 1f)), RemoteDenoiser.Branch.of(context(manager, 0f)),
                    7.5f, 0f, extra);
            denoiser.predict(manager.ones(new Shape(1, 4, 2, 2)), 500f);
            NDArray sent = Tensors.toNDArray(replica.requests.get(0).getSample(), manager);
            assertEquals(new Shape(1, 9, 2, 2), sent.getShape());
            assertEquals(16f, sent.get(":, :4").sum().getFloat());
            assertEquals(60f, sent.get(":, 4:").sum().getFloat());
        }
    }
}
