package io.latentflow.vae.grpc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.latentflow.core.vae.DiagonalGaussianDistribution;
import io.latentflow.proto.ModelRef;
import io.latentflow.proto.Tensor;
import io.latentflow.proto.Tensors;
import io.latentflow.proto.VaeDecodeRequest;
import io.latentflow.proto.VaeDecodeResponse;
import io.latentflow.proto.VaeEncodeRequest;
import io.latentflow.proto.VaeEncodeResponse;
import io.latentflow.proto.VaeService;
import io.latentflow.service.grpc.GrpcStatuses;
import io.latentflow.service.model.LoadedModel;
import io.latentflow.core.vae.AutoencoderKl;
import io.latentflow.core.vae.LatentScaling;
import io.latentflow.vae.model.VaeRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Inject;
import java.util.function.Function;

/**
 * gRPC VaeService: images to the latent posterior and scaled latents (Encode), scaled latents to images (Decode).
 * Calls run on the worker pool rather than under {@code @Blocking}, which would serialize one connection's calls.
 */
@GrpcService
public class VaeGrpcService implements VaeService {

    private final VaeRegistry registry;
    private final MeterRegistry meters;

    @Inject
    public VaeGrpcService(VaeRegistry registry, MeterRegistry meters) {
        this.registry = registry;
        this.meters = meters;
    }

    @Override
    public Uni<VaeEncodeResponse> encode(VaeEncodeRequest request) {
        return Uni.createFrom().item(() -> timed("encode", request.getModel(), loaded -> encode(loaded, request)))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure().transform(GrpcStatuses::toStatus);
    }

    @Override
    public Uni<VaeDecodeResponse> decode(VaeDecodeRequest request) {
        return Uni.createFrom().item(() -> timed("decode", request.getModel(), loaded -> decode(loaded, request)))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure().transform(GrpcStatuses::toStatus);
    }

    private VaeEncodeResponse encode(LoadedModel<AutoencoderKl> loaded, VaeEncodeRequest request) {
        try (NDManager manager = NDManager.newBaseManager(loaded.options().device())) {
            VaeRequestReader reader = new VaeRequestReader(loaded.model().config(), manager);
            NDArray images = reader.images(request.hasImages(), request.getImages());
            NDArray noise = reader.noise(request.hasNoise(), request.getNoise(), images);
            DiagonalGaussianDistribution posterior = loaded.model().encode(images);
            NDArray raw = noise == null ? posterior.mode() : posterior.sample(noise);
            NDArray latents = LatentScaling.of(loaded.model().config()).scale(raw);
            return VaeEncodeResponse.newBuilder()
                    .setMean(float32(posterior.mean()))
                    .setLogvar(float32(posterior.logvar()))
                    .setLatents(float32(latents))
                    .build();
        }
    }

    private VaeDecodeResponse decode(LoadedModel<AutoencoderKl> loaded, VaeDecodeRequest request) {
        try (NDManager manager = NDManager.newBaseManager(loaded.options().device())) {
            NDArray latents = new VaeRequestReader(loaded.model().config(), manager)
                    .latents(request.hasLatents(), request.getLatents());
            NDArray raw = LatentScaling.of(loaded.model().config()).unscale(latents);
            return VaeDecodeResponse.newBuilder().setImages(float32(loaded.model().decode(raw))).build();
        }
    }

    private <R> R timed(String operation, ModelRef model, Function<LoadedModel<AutoencoderKl>, R> call) {
        LoadedModel<AutoencoderKl> loaded = registry.get(model.getName(), model.getVersion());
        Timer.Sample timer = Timer.start(meters);
        R response = call.apply(loaded);
        timer.stop(Timer.builder("latentflow.vae." + operation)
                .description("VAE " + operation + " calls")
                .tag("model", loaded.id().toString())
                .register(meters));
        return response;
    }

    private static Tensor float32(NDArray array) {
        return Tensors.toProto(array.getDataType() == DataType.FLOAT32 ? array : array.toType(DataType.FLOAT32, false));
    }
}
