package io.latentflow.denoiser.grpc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.latentflow.denoiser.grpc.PredictRequestReader.ConditioningTensors;
import io.latentflow.denoiser.model.GuidedUnet;
import io.latentflow.denoiser.model.LoadedUnet;
import io.latentflow.denoiser.model.UnetInputs;
import io.latentflow.denoiser.model.UnetRegistry;
import io.latentflow.proto.Conditioning;
import io.latentflow.proto.DenoiserService;
import io.latentflow.proto.PredictRequest;
import io.latentflow.proto.PredictResponse;
import io.latentflow.proto.Tensor;
import io.latentflow.proto.Tensors;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;

/** gRPC DenoiserService: resolves conditioning references, validates the call and runs one (guided) UNet batch. */
@GrpcService
public class DenoiserGrpcService implements DenoiserService {

    private final UnetRegistry registry;
    private final TensorRefResolver refs;
    private final MeterRegistry meters;

    @Inject
    public DenoiserGrpcService(UnetRegistry registry, TensorRefResolver refs, MeterRegistry meters) {
        this.registry = registry;
        this.refs = refs;
        this.meters = meters;
    }

    @Override
    @Blocking
    public Uni<PredictResponse> predict(PredictRequest request) {
        return Uni.createFrom().item(() -> respond(request)).onFailure().transform(GrpcStatuses::toStatus);
    }

    private PredictResponse respond(PredictRequest request) {
        LoadedUnet loaded = registry.get(request.getModel().getName(), request.getModel().getVersion());
        List<String> missingKeys = new ArrayList<>();
        ConditioningTensors cond = resolve("cond", request.getCond(), missingKeys);
        ConditioningTensors uncond = resolve("uncond", request.getUncond(), missingKeys);
        if (!missingKeys.isEmpty()) {
            return PredictResponse.newBuilder().addAllMissingKeys(missingKeys).build();
        }
        Timer.Sample timer = Timer.start(meters);
        try (NDManager manager = NDManager.newBaseManager(loaded.options().device())) {
            UnetInputs inputs = new PredictRequestReader(loaded.unet().config(), loaded.options().dataType(), manager)
                    .read(request, cond, uncond);
            NDArray prediction = GuidedUnet.predict(loaded.unet(), inputs);
            if (prediction.getDataType() != DataType.FLOAT32) {
                prediction = prediction.toType(DataType.FLOAT32, false);
            }
            PredictResponse response = PredictResponse.newBuilder().setPrediction(Tensors.toProto(prediction)).build();
            timer.stop(Timer.builder("latentflow.denoiser.predict")
                    .description("UNet evaluations per Predict call")
                    .tag("model", loaded.id().toString())
                    .tag("guided", Boolean.toString(inputs.uncond() != null))
                    .register(meters));
            return response;
        }
    }

    private ConditioningTensors resolve(String field, Conditioning conditioning, List<String> missingKeys) {
        return new ConditioningTensors(
                refs.resolve(field + ".context", conditioning.getContext(), missingKeys).orElse(null),
                refs.resolve(field + ".text_embeds", conditioning.getTextEmbeds(), missingKeys).orElse(null),
                refs.resolve(field + ".time_ids", conditioning.getTimeIds(), missingKeys).orElse(null));
    }
}
