package io.latentflow.orchestrator.grpc;

import ai.djl.ndarray.NDArray;
import io.latentflow.core.pipeline.LatentCodec;
import io.latentflow.proto.ModelRef;
import io.latentflow.proto.Tensors;
import io.latentflow.proto.VaeDecodeRequest;
import io.latentflow.proto.VaeDecodeResponse;
import io.latentflow.proto.VaeEncodeRequest;
import io.latentflow.proto.VaeEncodeResponse;
import java.util.function.Function;

/** A {@link LatentCodec} answered by the VAE service: Encode with the posterior noise sent along, Decode. */
public final class RemoteLatentCodec implements LatentCodec {

    private final Function<VaeEncodeRequest, VaeEncodeResponse> encodeCall;
    private final Function<VaeDecodeRequest, VaeDecodeResponse> decodeCall;
    private final ModelRef model;

    public RemoteLatentCodec(Function<VaeEncodeRequest, VaeEncodeResponse> encodeCall,
            Function<VaeDecodeRequest, VaeDecodeResponse> decodeCall, ModelRef model) {
        this.encodeCall = encodeCall;
        this.decodeCall = decodeCall;
        this.model = model;
    }

    @Override
    public NDArray encode(NDArray images, NDArray posteriorNoise) {
        VaeEncodeResponse encoded = encodeCall.apply(VaeEncodeRequest.newBuilder().setModel(model)
                .setImages(Tensors.toProto(images)).setNoise(Tensors.toProto(posteriorNoise)).build());
        return Tensors.toNDArray(WireTensors.checked(encoded.getLatents(), "VAE latents"), images.getManager());
    }

    @Override
    public NDArray decode(NDArray latents) {
        VaeDecodeResponse decoded = decodeCall.apply(VaeDecodeRequest.newBuilder().setModel(model)
                .setLatents(Tensors.toProto(latents)).build());
        return Tensors.toNDArray(WireTensors.checked(decoded.getImages(), "VAE images"), latents.getManager());
    }
}
