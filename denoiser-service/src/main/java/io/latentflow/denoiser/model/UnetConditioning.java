package io.latentflow.denoiser.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.List;
import java.util.function.Function;

/**
 * What the UNet is conditioned on for a batch of B samples.
 *
 * @param context    encoder_hidden_states (B, L, D)
 * @param textEmbeds pooled text embeds (B, P) for text_time models, else null
 * @param timeIds    added time ids (B, 6 or 5) for text_time models, else null
 */
public record UnetConditioning(NDArray context, NDArray textEmbeds, NDArray timeIds) {

    /** The conditionings one after another on the batch axis. */
    static UnetConditioning concat(List<UnetConditioning> parts) {
        return new UnetConditioning(concat(parts, UnetConditioning::context),
                parts.get(0).textEmbeds() == null ? null : concat(parts, UnetConditioning::textEmbeds),
                parts.get(0).timeIds() == null ? null : concat(parts, UnetConditioning::timeIds));
    }

    private static NDArray concat(List<UnetConditioning> parts, Function<UnetConditioning, NDArray> field) {
        return parts.size() == 1 ? field.apply(parts.get(0))
                : NDArrays.concat(new NDList(parts.stream().map(field).toList()), 0);
    }
}
