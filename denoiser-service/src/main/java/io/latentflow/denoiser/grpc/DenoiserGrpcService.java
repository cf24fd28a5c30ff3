package io.latentflow.denoiser.grpc;

import io.latentflow.denoiser.model.PredictionBatcher;
import io.latentflow.denoiser.model.PredictionJob;
import io.latentflow.denoiser.model.UnetRegistry;
import io.latentflow.denoiser.model.WireConditioning;
import io.latentflow.service.grpc.CallerJobInterceptor;
import io.latentflow.proto.Conditioning;
import io.latentflow.proto.DenoiserService;
import io.latentflow.proto.PredictRequest;
import io.latentflow.proto.PredictResponse;
import io.latentflow.service.grpc.GrpcStatuses;
import io.latentflow.service.model.LoadedModel;
import io.latentflow.core.unet.UNet2dConditionModel;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * gRPC DenoiserService: resolves conditioning references, validates the call and hands it to the batcher, which
 * runs it (possibly together with concurrent calls) as one guided UNet evaluation. Calls run on the worker pool
 * rather than under {@code @Blocking}, which would serialize the calls of one client connection.
 */
@GrpcService
public class DenoiserGrpcService implements DenoiserService {

    private final UnetRegistry registry;
    private final TensorRefResolver refs;
    private final PredictionBatcher batcher;
    private final MeterRegistry meters;

    @Inject
    public DenoiserGrpcService(UnetRegistry registry, TensorRefResolver refs, PredictionBatcher batcher,
            MeterRegistry meters) {
        this.registry = registry;
        this.refs = refs;
        this.batcher = batcher;
        this.meters = meters;
    }

    @Override
    public Uni<PredictResponse> predict(PredictRequest request) {
        String jobId = CallerJobInterceptor.callerJob().orElse("");
        return Uni.createFrom().item(() -> respond(request, jobId))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure().transform(GrpcStatuses::toStatus);
    }

    private PredictResponse respond(PredictRequest request, String jobId) {
        LoadedModel<UNet2dConditionModel> loaded = registry.get(request.getModel().getName(), request.getModel().getVersion());
        List<String> missingKeys = new ArrayList<>();
        WireConditioning cond = resolve("cond", request.getCond(), missingKeys);
        WireConditioning uncond = resolve("uncond", request.getUncond(), missingKeys);
        if (!missingKeys.isEmpty()) {
            return PredictResponse.newBuilder().addAllMissingKeys(missingKeys).build();
        }
        PredictionJob job = new PredictRequestReader(loaded.id(), loaded.model().config()).read(request, cond, uncond);
        Timer.Sample timer = Timer.start(meters);
        PredictResponse response;
        try {
            response = PredictResponse.newBuilder().setPrediction(batcher.submit(loaded, job, jobId).join()).build();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
        timer.stop(Timer.builder("latentflow.denoiser.predict")
                .description("Predict calls, from validation to prediction (queueing included)")
                .tag("model", loaded.id().toString())
                .tag("guided", Boolean.toString(job.uncond() != null))
                .register(meters));
        return response;
    }

    private WireConditioning resolve(String field, Conditioning conditioning, List<String> missingKeys) {
        return new WireConditioning(
                refs.resolve(field + ".context", conditioning.getContext(), missingKeys).orElse(null),
                refs.resolve(field + ".text_embeds", conditioning.getTextEmbeds(), missingKeys).orElse(null),
                refs.resolve(field + ".time_ids", conditioning.getTimeIds(), missingKeys).orElse(null));
    }
}
