package io.latentflow.orchestrator.grpc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.latentflow.core.pipeline.TextConditioner;
import io.latentflow.core.text.PromptEmbeddings;
import io.latentflow.proto.EncodeTextRequest;
import io.latentflow.proto.EncodeTextResponse;
import io.latentflow.proto.ModelRef;
import io.latentflow.proto.Tensors;
import java.util.List;
import java.util.function.Function;

/** A {@link TextConditioner} answered by the text encoder service: one EncodeText call per batch of prompts. */
public final class RemoteTextConditioner implements TextConditioner {

    private final Function<EncodeTextRequest, EncodeTextResponse> call;
    private final ModelRef model;

    public RemoteTextConditioner(Function<EncodeTextRequest, EncodeTextResponse> call, ModelRef model) {
        this.call = call;
        this.model = model;
    }

    @Override
    public PromptEmbeddings encode(List<String> prompts, NDManager manager) {
        EncodeTextResponse encoded = call.apply(EncodeTextRequest.newBuilder().setModel(model).addAllPrompts(prompts)
                .build());
        NDArray hidden = Tensors.toNDArray(WireTensors.checked(encoded.getHiddenStates(), "text encoder hidden states"),
                manager);
        NDArray pooled = encoded.hasPooled()
                ? Tensors.toNDArray(WireTensors.checked(encoded.getPooled(), "text encoder pooled embedding"), manager)
                : null;
        int[] tokenCounts = encoded.getTokenCountsCount() == prompts.size()
                ? encoded.getTokenCountsList().stream().mapToInt(Integer::intValue).toArray()
                : new int[prompts.size()];
        return new PromptEmbeddings(hidden, pooled, tokenCounts);
    }
}
