package io.latentflow.orchestrator.grpc;

import ai.djl.ndarray.NDArray;
import io.latentflow.core.pipeline.DenoiserFactory;
import io.latentflow.core.pipeline.UNetConditioning;
import io.latentflow.core.sampling.Denoiser;
import io.latentflow.proto.ModelRef;
import io.latentflow.proto.Tensor;
import io.latentflow.proto.Tensors;
import java.util.ArrayList;
import java.util.List;

/** A {@link DenoiserFactory} whose denoisers are {@link RemoteDenoiser}s of one model in the denoiser service. */
public final class RemoteDenoisers implements DenoiserFactory {

    private final RemoteDenoiser.PredictCall call;
    private final ModelRef model;
    private final List<RemoteDenoiser> made = new ArrayList<>();

    public RemoteDenoisers(RemoteDenoiser.PredictCall call, ModelRef model) {
        this.call = call;
        this.model = model;
    }

    @Override
    public Denoiser denoiser(UNetConditioning c) {
        RemoteDenoiser.Branch cond = new RemoteDenoiser.Branch(wire(c.hiddenStates()), wire(c.textEmbeds()),
                wire(c.timeIds()));
        RemoteDenoiser.Branch uncond = c.guided() ? new RemoteDenoiser.Branch(wire(c.negativeHiddenStates()),
                wire(c.negativeTextEmbeds()), wire(c.negativeTimeIds())) : null;
        RemoteDenoiser denoiser = new RemoteDenoiser(call, model, cond, uncond, c.guidanceScale(),
                c.guidanceRescale(), c.extraChannels());
        made.add(denoiser);
        return denoiser;
    }

    /** Conditioning resends after cache misses, over every denoiser made. */
    public int resends() {
        return made.stream().mapToInt(RemoteDenoiser::resends).sum();
    }

    private static Tensor wire(NDArray array) {
        return array == null ? null : Tensors.toProto(array);
    }
}
