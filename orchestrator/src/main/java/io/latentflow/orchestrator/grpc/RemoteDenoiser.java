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
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link Denoiser} that evaluates the UNet in the denoiser service: one Predict call per evaluation, classifier-free
 * guidance inside the service. Conditioning tensors travel inline the first time and then by content key only;
 * when the service answers with missing keys (another replica, or an evicted cache) they are sent inline again.
 * A 9-channel inpainting UNet gets its mask and masked-image latents appended to the sample's channels.
 */
public final class RemoteDenoiser implements Denoiser {

    /** Resends allowed for one evaluation before the call is given up. */
    private static final int MAX_RESENDS = 2;

    /** One Predict call to the denoiser service. */
    @FunctionalInterface
    public interface PredictCall {
        PredictResponse predict(PredictRequest request);
    }

    /**
     * What one guidance branch is conditioned on.
     *
     * @param context    encoder hidden states (B, L, D)
     * @param textEmbeds SDXL pooled text embedding (B, P), else null
     * @param timeIds    SDXL size and crop (or aesthetic score) ids (B, 6|5), else null
     */
    public record Branch(Tensor context, Tensor textEmbeds, Tensor timeIds) {

        /** A branch of hidden states only (SD 1.x / 2.x). */
        public static Branch of(Tensor context) {
            return new Branch(context, null, null);
        }
    }

    private final PredictCall call;
    private final ModelRef model;
    private final Branch cond;
    private final Branch uncond;
    private final float guidanceScale;
    private final float guidanceRescale;
    private final NDArray extraChannels;
    /** Content key of every conditioning tensor, hashed once: a Predict call per step must not hash them again. */
    private final Map<Tensor, String> keys = new IdentityHashMap<>();
    private final Set<String> sentKeys = new HashSet<>();
    private int resends;

    /**
     * @param uncond        the negative branch, or null to run without guidance
     * @param extraChannels (B, 1 + C, h, w) mask and masked-image latents of a 9-channel inpainting UNet, else null
     */
    public RemoteDenoiser(PredictCall call, ModelRef model, Branch cond, Branch uncond, float guidanceScale,
            float guidanceRescale, NDArray extraChannels) {
        this.call = call;
        this.model = model;
        this.cond = cond;
        this.uncond = uncond;
        this.guidanceScale = guidanceScale;
        this.guidanceRescale = guidanceRescale;
        this.extraChannels = extraChannels;
        for (Branch branch : uncond == null ? List.of(cond) : List.of(cond, uncond)) {
            for (Tensor tensor : new Tensor[] {branch.context(), branch.textEmbeds(), branch.timeIds()}) {
                if (tensor != null) {
                    keys.put(tensor, Tensors.contentKey(tensor));
                }
            }
        }
    }

    @Override
    public NDArray predict(NDArray latents, float timestep) {
        Tensor sample = Tensors.toProto(extraChannels == null ? latents : latents.concat(extraChannels, 1));
        Set<String> inline = new HashSet<>();
        for (int attempt = 0; ; attempt++) {
            PredictResponse response = call.predict(request(sample, timestep, inline));
            if (response.getMissingKeysCount() == 0) {
                sentKeys.addAll(keys.values());
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
                .setCond(conditioning(cond, inline));
        if (uncond != null) {
            request.setUncond(conditioning(uncond, inline))
                    .setGuidanceScale(guidanceScale)
                    .setGuidanceRescale(guidanceRescale);
        }
        return request.build();
    }

    private Conditioning conditioning(Branch branch, Set<String> inline) {
        Conditioning.Builder conditioning = Conditioning.newBuilder().setContext(ref(branch.context(), inline));
        if (branch.textEmbeds() != null) {
            conditioning.setTextEmbeds(ref(branch.textEmbeds(), inline));
        }
        if (branch.timeIds() != null) {
            conditioning.setTimeIds(ref(branch.timeIds(), inline));
        }
        return conditioning.build();
    }

    private TensorRef ref(Tensor tensor, Set<String> inline) {
        String key = keys.get(tensor);
        TensorRef.Builder ref = TensorRef.newBuilder().setKey(key);
        if (!sentKeys.contains(key) || inline.contains(key)) {
            ref.setTensor(tensor);
        }
        return ref.build();
    }
}
