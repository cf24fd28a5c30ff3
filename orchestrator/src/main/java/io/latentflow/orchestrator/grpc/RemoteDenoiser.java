package io.latentflow.orchestrator.grpc;

import ai.djl.ndarray.NDArray;
import io.latentflow.core.sampling.Denoiser;
import io.latentflow.proto.Conditioning;
import io.latentflow.proto.ModelRef;
import io.latentflow.proto.PredictRequest;
import io.latentflow.proto.PredictResponse;
import io.latentflow.proto.Tensor;
import io.latentflow.proto.TensorRef;
import io.latentflow.proto.Tensors;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A {@link Denoiser} that evaluates the UNet in the denoiser service: one Predict call per evaluation, classifier-free
 * guidance inside the service. Conditioning tensors travel inline the first time and then by content key only;
 * when the service answers with missing keys (another replica, or an evicted cache) they are sent inline again.
 */
public final class RemoteDenoiser implements Denoiser {

    /** Resends allowed for one evaluation before the call is given up. */
    private static final int MAX_RESENDS = 2;

    /** One Predict call to the denoiser service. */
    @FunctionalInterface
    public interface PredictCall {
        PredictResponse predict(PredictRequest request);
    }

    private final PredictCall call;
    private final ModelRef model;
    private final Tensor cond;
    private final Tensor uncond;
    private final String condKey;
    private final String uncondKey;
    private final float guidanceScale;
    private final float guidanceRescale;
    private final Set<String> sentKeys = new HashSet<>();
    private int resends;

    /**
     * @param cond   encoder hidden states of the prompt, (B, L, D)
     * @param uncond encoder hidden states of the negative prompt, (B, L, D), or null to run without guidance
     */
    public RemoteDenoiser(PredictCall call, ModelRef model, Tensor cond, Tensor uncond, float guidanceScale,
            float guidanceRescale) {
        this.call = call;
        this.model = model;
        this.cond = cond;
        this.uncond = uncond;
        this.condKey = Tensors.contentKey(cond);
        this.uncondKey = uncond == null ? null : Tensors.contentKey(uncond);
        this.guidanceScale = guidanceScale;
        this.guidanceRescale = guidanceRescale;
    }

    @Override
    public NDArray predict(NDArray latents, float timestep) {
        Tensor sample = Tensors.toProto(latents);
        Set<String> inline = new HashSet<>();
        for (int attempt = 0; ; attempt++) {
            PredictResponse response = call.predict(request(sample, timestep, inline));
            if (response.getMissingKeysCount() == 0) {
                sentKeys.add(condKey);
                if (uncondKey != null) {
                    sentKeys.add(uncondKey);
                }
                return Tensors.toNDArray(response.getPrediction(), latents.getManager());
            }
            List<String> missing = response.getMissingKeysList();
            if (attempt >= MAX_RESENDS || inline.containsAll(missing)) {
                throw new IllegalStateException("denoiser keeps reporting missing conditioning " + missing);
            }
            inline.addAll(missing);
            sentKeys.removeAll(missing);
            resends++;
        }
    }

    /** How often conditioning had to be sent again after a cache miss. */
    public int resends() {
        return resends;
    }

    private PredictRequest request(Tensor sample, float timestep, Set<String> inline) {
        PredictRequest.Builder request = PredictRequest.newBuilder()
                .setModel(model)
                .setSample(sample)
                .addTimesteps(timestep)
                .setCond(Conditioning.newBuilder().setContext(ref(condKey, cond, inline)));
        if (uncond != null) {
            request.setUncond(Conditioning.newBuilder().setContext(ref(uncondKey, uncond, inline)))
                    .setGuidanceScale(guidanceScale)
                    .setGuidanceRescale(guidanceRescale);
        }
        return request.build();
    }

    private TensorRef ref(String key, Tensor tensor, Set<String> inline) {
        TensorRef.Builder ref = TensorRef.newBuilder().setKey(key);
        if (!sentKeys.contains(key) || inline.contains(key)) {
            ref.setTensor(tensor);
        }
        return ref.build();
    }
}
