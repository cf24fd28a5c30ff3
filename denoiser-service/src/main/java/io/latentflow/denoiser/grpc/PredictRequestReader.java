package io.latentflow.denoiser.grpc;

import io.latentflow.core.unet.UNet2dConditionConfig;
import io.latentflow.denoiser.model.PredictionJob;
import io.latentflow.denoiser.model.WireConditioning;
import io.latentflow.proto.PredictRequest;
import io.latentflow.proto.Tensor;
import io.latentflow.service.grpc.FloatTensorField;
import io.latentflow.service.grpc.InvalidFieldException;
import io.latentflow.service.storage.ModelId;
import java.util.List;

/**
 * Checks a Predict request against the UNet's configuration and turns it into a {@link PredictionJob}; every
 * problem is an {@link InvalidFieldException} naming the field.
 */
final class PredictRequestReader {

    private final ModelId model;
    private final UNet2dConditionConfig config;

    PredictRequestReader(ModelId model, UNet2dConditionConfig config) {
        this.model = model;
        this.config = config;
    }

    PredictionJob read(PredictRequest request, WireConditioning cond, WireConditioning uncond) {
        if (!request.hasSample()) {
            throw new InvalidFieldException("sample", "is required");
        }
        List<Long> sampleShape = FloatTensorField.shape("sample", request.getSample());
        if (sampleShape.size() != 4) {
            throw new InvalidFieldException("sample", "expected (B, C, H, W), got shape " + sampleShape);
        }
        long batch = sampleShape.get(0);
        if (batch < 1 || sampleShape.get(2) < 1 || sampleShape.get(3) < 1) {
            throw new InvalidFieldException("sample", "shape " + sampleShape + " is empty");
        }
        if (sampleShape.get(1) != config.inChannels()) {
            throw new InvalidFieldException("sample", "the model takes " + config.inChannels()
                    + " channels, got shape " + sampleShape);
        }
        int timestepCount = request.getTimestepsCount();
        if (timestepCount != 1 && timestepCount != batch) {
            throw new InvalidFieldException("timesteps", "expected 1 or " + batch + " values (one per sample), got "
                    + timestepCount);
        }
        float[] timesteps = new float[(int) batch];
        for (int i = 0; i < batch; i++) {
            timesteps[i] = request.getTimesteps(timestepCount == 1 ? 0 : i);
        }

        List<Long> context = conditioning("cond", cond, batch, -1);
        WireConditioning guidance = null;
        if (uncond.isPresent()) {
            conditioning("uncond", uncond, batch, context.get(1));
            guidance = uncond;
        }
        long textEmbedsDim = cond.textEmbeds() == null ? 0 : cond.textEmbeds().getShape(1);
        long timeIdsDim = cond.timeIds() == null ? 0 : cond.timeIds().getShape(1);
        PredictionJob.BatchKey key = new PredictionJob.BatchKey(model.toString(), sampleShape.subList(1, 4),
                context.subList(1, 3), textEmbedsDim, timeIdsDim, guidance != null);
        return new PredictionJob(request.getSample(), timesteps, cond, guidance, request.getGuidanceScale(),
                request.getGuidanceRescale(), key);
    }

    /** Validates one conditioning and returns its context's shape. */
    private List<Long> conditioning(String field, WireConditioning tensors, long batch, long tokens) {
        if (tensors.context() == null) {
            throw new InvalidFieldException(field + ".context", "is required");
        }
        List<Long> shape = FloatTensorField.shape(field + ".context", tensors.context());
        long dim = contextDim();
        if (shape.size() != 3 || (shape.get(0) != batch && shape.get(0) != 1) || shape.get(2) != dim
                || shape.get(1) < 1) {
            throw new InvalidFieldException(field + ".context", "expected (" + batch + " or 1, L, " + dim
                    + "), got shape " + shape);
        }
        if (tokens >= 0 && shape.get(1) != tokens) {
            throw new InvalidFieldException(field + ".context", "sequence length " + shape.get(1)
                    + " differs from cond.context's " + tokens);
        }
        if (!"text_time".equals(config.additionEmbedType())) {
            if (tensors.textEmbeds() != null || tensors.timeIds() != null) {
                throw new InvalidFieldException(field + (tensors.textEmbeds() != null ? ".text_embeds" : ".time_ids"),
                        "this model takes no added text/time conditioning");
            }
            return shape;
        }
        long textEmbedsDim = addedConditioning(field + ".text_embeds", tensors.textEmbeds(), batch);
        long timeIdsDim = addedConditioning(field + ".time_ids", tensors.timeIds(), batch);
        long expected = config.projectionClassEmbeddingsInputDim();
        if (textEmbedsDim + timeIdsDim * config.additionTimeEmbedDim() != expected) {
            throw new InvalidFieldException(field + ".text_embeds", "P + N * " + config.additionTimeEmbedDim()
                    + " must equal the model's projection_class_embeddings_input_dim " + expected + " with text_embeds"
                    + " (B, P) and time_ids (B, N); got P=" + textEmbedsDim + ", N=" + timeIdsDim);
        }
        return shape;
    }

    /** Validates text_embeds or time_ids, (B or 1, N), and returns N. */
    private static long addedConditioning(String field, Tensor tensor, long batch) {
        if (tensor == null) {
            throw new InvalidFieldException(field, "is required by this model (addition_embed_type text_time)");
        }
        List<Long> shape = FloatTensorField.shape(field, tensor);
        if (shape.size() != 2 || (shape.get(0) != batch && shape.get(0) != 1) || shape.get(1) < 1) {
            throw new InvalidFieldException(field, "expected (" + batch + " or 1, N), got shape " + shape);
        }
        return shape.get(1);
    }

    private long contextDim() {
        Integer projected = config.encoderHidDim();
        return projected != null ? projected : config.crossAttentionDims().get(0);
    }
}
