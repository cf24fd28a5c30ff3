package io.latentflow.denoiser.grpc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.latentflow.core.unet.UNet2dConditionConfig;
import io.latentflow.denoiser.model.UnetConditioning;
import io.latentflow.denoiser.model.UnetInputs;
import io.latentflow.proto.DType;
import io.latentflow.proto.PredictRequest;
import io.latentflow.proto.Tensor;
import io.latentflow.proto.Tensors;
import java.util.List;

/**
 * Checks a Predict request against the UNet's configuration and turns it into {@link UnetInputs}; every problem is
 * an {@link InvalidFieldException} naming the field.
 */
final class PredictRequestReader {

    private final UNet2dConditionConfig config;
    private final DataType dataType;
    private final NDManager manager;

    PredictRequestReader(UNet2dConditionConfig config, DataType dataType, NDManager manager) {
        this.config = config;
        this.dataType = dataType;
        this.manager = manager;
    }

    /** The conditioning tensors as resolved from the request's references (absent ones null). */
    record ConditioningTensors(Tensor context, Tensor textEmbeds, Tensor timeIds) {
    }

    UnetInputs read(PredictRequest request, ConditioningTensors cond, ConditioningTensors uncond) {
        if (!request.hasSample()) {
            throw new InvalidFieldException("sample", "is required");
        }
        List<Long> sampleShape = floatTensorShape("sample", request.getSample());
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
        NDArray sample = toModelType(Tensors.toNDArray(request.getSample(), manager));
        float[] values = new float[(int) batch];
        for (int i = 0; i < batch; i++) {
            values[i] = request.getTimesteps(timestepCount == 1 ? 0 : i);
        }
        NDArray timesteps = manager.create(values);

        UnetConditioning condArrays = conditioning("cond", cond, batch, -1);
        UnetConditioning uncondArrays = null;
        if (uncond.context() != null || uncond.textEmbeds() != null || uncond.timeIds() != null) {
            uncondArrays = conditioning("uncond", uncond, batch, condArrays.context().getShape().get(1));
        }
        return new UnetInputs(sample, timesteps, condArrays, uncondArrays, request.getGuidanceScale(),
                request.getGuidanceRescale());
    }

    private UnetConditioning conditioning(String field, ConditioningTensors tensors, long batch, long tokens) {
        if (tensors.context() == null) {
            throw new InvalidFieldException(field + ".context", "is required");
        }
        List<Long> shape = floatTensorShape(field + ".context", tensors.context());
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
        NDArray context = toBatch(toModelType(Tensors.toNDArray(tensors.context(), manager)), batch);
        if (!"text_time".equals(config.additionEmbedType())) {
            if (tensors.textEmbeds() != null || tensors.timeIds() != null) {
                throw new InvalidFieldException(field + (tensors.textEmbeds() != null ? ".text_embeds" : ".time_ids"),
                        "this model takes no added text/time conditioning");
            }
            return new UnetConditioning(context, null, null);
        }
        NDArray textEmbeds = addedConditioning(field + ".text_embeds", tensors.textEmbeds(), batch);
        NDArray timeIds = addedConditioning(field + ".time_ids", tensors.timeIds(), batch);
        long expected = config.projectionClassEmbeddingsInputDim();
        long got = textEmbeds.getShape().get(1) + timeIds.getShape().get(1) * config.additionTimeEmbedDim();
        if (got != expected) {
            throw new InvalidFieldException(field + ".text_embeds", "P + N * " + config.additionTimeEmbedDim()
                    + " must equal the model's projection_class_embeddings_input_dim " + expected + " with text_embeds"
                    + " (B, P) and time_ids (B, N); got P=" + textEmbeds.getShape().get(1) + ", N="
                    + timeIds.getShape().get(1));
        }
        return new UnetConditioning(context, textEmbeds, timeIds);
    }

    private NDArray addedConditioning(String field, Tensor tensor, long batch) {
        if (tensor == null) {
            throw new InvalidFieldException(field, "is required by this model (addition_embed_type text_time)");
        }
        List<Long> shape = floatTensorShape(field, tensor);
        if (shape.size() != 2 || (shape.get(0) != batch && shape.get(0) != 1) || shape.get(1) < 1) {
            throw new InvalidFieldException(field, "expected (" + batch + " or 1, N), got shape " + shape);
        }
        return toBatch(toModelType(Tensors.toNDArray(tensor, manager)), batch);
    }

    private long contextDim() {
        Integer projected = config.encoderHidDim();
        return projected != null ? projected : config.crossAttentionDims().get(0);
    }

    private static List<Long> floatTensorShape(String field, Tensor tensor) {
        DType dtype = tensor.getDtype();
        if (dtype != DType.FLOAT32 && dtype != DType.FLOAT16 && dtype != DType.BFLOAT16) {
            throw new InvalidFieldException(field, "expected a floating-point tensor, got dtype " + dtype);
        }
        long bytes = Tensors.elementCount(tensor) * Tensors.elementSize(dtype);
        if (tensor.getData().size() != bytes) {
            throw new InvalidFieldException(field, "shape " + tensor.getShapeList() + " of " + dtype + " needs "
                    + bytes + " bytes of data, got " + tensor.getData().size());
        }
        return tensor.getShapeList();
    }

    private NDArray toModelType(NDArray array) {
        return array.getDataType() == dataType ? array : array.toType(dataType, false);
    }

    private static NDArray toBatch(NDArray array, long batch) {
        return array.getShape().get(0) == batch ? array : array.repeat(0, batch);
    }
}
