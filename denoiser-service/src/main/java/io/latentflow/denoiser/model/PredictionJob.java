package io.latentflow.denoiser.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.latentflow.proto.Tensor;
import io.latentflow.proto.Tensors;
import java.util.List;

/**
 * A validated Predict call, still in wire form, waiting for a UNet batch.
 *
 * @param sample          latents x_t (B, C, H, W)
 * @param timesteps       one timestep per sample (B)
 * @param cond            conditioning; tensors with batch 1 are broadcast to B
 * @param uncond          unconditional conditioning for classifier-free guidance, or null
 * @param guidanceScale   classifier-free guidance scale
 * @param guidanceRescale guidance rescale factor, 0 = off
 * @param batchKey        calls with equal keys can share one UNet batch
 */
public record PredictionJob(Tensor sample, float[] timesteps, WireConditioning cond, WireConditioning uncond,
        float guidanceScale, float guidanceRescale, BatchKey batchKey) {

    /** What must agree between calls that run in one UNet batch: model, sample and conditioning shapes, guidance. */
    public record BatchKey(String model, List<Long> sampleChw, List<Long> contextShape, long textEmbedsDim,
            long timeIdsDim, boolean guided) {
    }

    /** Samples in this call (B). */
    public int batchSize() {
        return timesteps.length;
    }

    /** The call's arrays in the model's dtype, attached to {@code manager}. */
    public UnetInputs toInputs(NDManager manager, DataType dataType) {
        return new UnetInputs(array(sample, manager, dataType), manager.create(timesteps),
                conditioning(cond, manager, dataType), uncond == null ? null : conditioning(uncond, manager, dataType),
                guidanceScale, guidanceRescale);
    }

    private UnetConditioning conditioning(WireConditioning wire, NDManager manager, DataType dataType) {
        return new UnetConditioning(batched(wire.context(), manager, dataType),
                wire.textEmbeds() == null ? null : batched(wire.textEmbeds(), manager, dataType),
                wire.timeIds() == null ? null : batched(wire.timeIds(), manager, dataType));
    }

    private NDArray batched(Tensor tensor, NDManager manager, DataType dataType) {
        NDArray array = array(tensor, manager, dataType);
        return array.getShape().get(0) == batchSize() ? array : array.repeat(0, batchSize());
    }

    private static NDArray array(Tensor tensor, NDManager manager, DataType dataType) {
        NDArray array = Tensors.toNDArray(tensor, manager);
        return array.getDataType() == dataType ? array : array.toType(dataType, false);
    }
}
