package io.latentflow.textencoder.grpc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.latentflow.core.text.PromptEmbeddings;
import io.latentflow.proto.EncodeTextRequest;
import io.latentflow.proto.EncodeTextResponse;
import io.latentflow.proto.Tensor;
import io.latentflow.proto.Tensors;
import io.latentflow.proto.TextEncoderService;
import io.latentflow.service.grpc.GrpcStatuses;
import io.latentflow.service.grpc.InvalidFieldException;
import io.latentflow.service.model.LoadedModel;
import io.latentflow.core.text.PromptEncoder;
import io.latentflow.textencoder.config.TextEncoderConfig;
import io.latentflow.textencoder.model.PromptEncoderRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Inject;
import java.util.Arrays;

/**
 * gRPC TextEncoderService: prompts through the model's tokenizers and text encoders to UNet conditioning. Calls run
 * on the worker pool rather than under {@code @Blocking}, which would serialize one connection's calls.
 */
@GrpcService
public class TextEncoderGrpcService implements TextEncoderService {

    private final PromptEncoderRegistry registry;
    private final MeterRegistry meters;
    private final int maxPrompts;

    @Inject
    public TextEncoderGrpcService(PromptEncoderRegistry registry, MeterRegistry meters, TextEncoderConfig config) {
        this.registry = registry;
        this.meters = meters;
        this.maxPrompts = config.maxPrompts();
    }

    @Override
    public Uni<EncodeTextResponse> encode(EncodeTextRequest request) {
        return Uni.createFrom().item(() -> respond(request))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure().transform(GrpcStatuses::toStatus);
    }

    private EncodeTextResponse respond(EncodeTextRequest request) {
        if (request.getPromptsCount() == 0) {
            throw new InvalidFieldException("prompts", "at least one prompt is required");
        }
        if (request.getPromptsCount() > maxPrompts) {
            throw new InvalidFieldException("prompts", "at most " + maxPrompts + " prompts per call, got "
                    + request.getPromptsCount());
        }
        LoadedModel<PromptEncoder> loaded = registry.get(request.getModel().getName(), request.getModel().getVersion());
        Timer.Sample timer = Timer.start(meters);
        try (NDManager manager = NDManager.newBaseManager(loaded.options().device())) {
            PromptEmbeddings embeddings = loaded.model().encode(request.getPromptsList(), manager);
            EncodeTextResponse.Builder response = EncodeTextResponse.newBuilder()
                    .setHiddenStates(float32(embeddings.hiddenStates()))
                    .addAllTokenCounts(Arrays.stream(embeddings.tokenCounts()).boxed().toList());
            if (embeddings.hasPooled()) {
                response.setPooled(float32(embeddings.pooled()));
            }
            timer.stop(Timer.builder("latentflow.text_encoder.encode")
                    .description("Encode calls")
                    .tag("model", loaded.id().toString())
                    .register(meters));
            return response.build();
        }
    }

    private static Tensor float32(NDArray array) {
        return Tensors.toProto(array.getDataType() == DataType.FLOAT32 ? array : array.toType(DataType.FLOAT32, false));
    }
}
