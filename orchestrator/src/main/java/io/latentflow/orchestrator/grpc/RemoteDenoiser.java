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
    private final Tensor condTextEmbeds;
    private final Tensor uncondTextEmbeds;
    private final Tensor timeIds;
    private final Set<String> sentKeys = new HashSet<>();
    private int resends;

    /**
     * @param cond   encoder hidden states of the prompt, (B, L, D)
     * @param uncond encoder hidden states of the negative prompt, (B, L, D), or null to run without guidance
     */
    public RemoteDenoiser(PredictCall call, ModelRef model, Tensor cond, Tensor uncond, float guidanceScale,
            float guidanceRescale) {
        this(call, model, cond, uncond, guidanceScale, guidanceRescale, null, null, null);
    }

    /**
     * With SDXL added conditioning (Podell et al. 2023, sec. 2.2), sent beside the hidden states of each branch.
     *
     * @param condTextEmbeds   pooled text embedding of the prompt, (B, P), or null for SD 1.x / 2.x models
     * @param uncondTextEmbeds pooled text embedding of the negative prompt, (B, P), or null without guidance
     * @param timeIds          size and crop conditioning of both branches, (B, 6), or null for SD 1.x / 2.x models
     */
    public RemoteDenoiser(PredictCall call, ModelRef model, Tensor cond, Tensor uncond, float guidanceScale,
            float guidanceRescale, Tensor condTextEmbeds, Tensor uncondTextEmbeds, Tensor timeIds) {
        this.condTextEmbeds = condTextEmbeds;
        this.uncondTextEmbeds = uncondTextEmbeds;
        this.timeIds = timeIds;
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
                for (Tensor added : new Tensor[] {condTextEmbeds, uncondTextEmbeds, timeIds}) {
                    if (added != null) {
                        sentKeys.add(Tensors.contentKey(added));
                    }
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
                .setCond(conditioning(ref(condKey, cond, inline), condTextEmbeds, inline));
        if (uncond != null) {
            request.setUncond(conditioning(ref(uncondKey, uncond, inline), uncondTextEmbeds, inline))
                    .setGuidanceScale(guidanceScale)
                    .setGuidanceRescale(guidanceRescale);
        }
        return request.build();
    }

    /** One branch: its hidden states and, for SDXL models, its pooled embedding and the time ids. */
    private Conditioning conditioning(TensorRef context, Tensor textEmbeds, Set<String> inline) {
        Conditioning.Builder conditioning = Conditioning.newBuilder().setContext(context);
        if (textEmbeds != null) {
            conditioning.setTextEmbeds(ref(Tensors.contentKey(textEmbeds), textEmbeds, inline));
        }
        if (timeIds != null) {
            conditioning.setTimeIds(ref(Tensors.contentKey(timeIds), timeIds, inline));
        }
        return conditioning.build();
    }

    private TensorRef ref(String key, Tensor tensor, Set<String> inline) {
        TensorRef.Builder ref = TensorRef.newBuilder().setKey(key);
        if (!sentKeys.contains(key) || inline.contains(key)) {
            ref.setTensor(tensor);
        }
        return ref.build();
    }
}
