package io.latentflow.orchestrator.job;

import com.google.protobuf.ByteString;
import io.latentflow.core.pipeline.SdxlConditioning;
import io.latentflow.proto.DType;
import io.latentflow.proto.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The SDXL base's time ids of a job as a wire tensor: (original_h, original_w, crop_top, crop_left, target_h,
 * target_w) per image (Podell et al. 2023, sec. 2.2), the original and target size being the job's size and the crop
 * (0, 0), as diffusers' StableDiffusionXLPipeline does by default.
 */
public final class SdxlTimeIds {

    private SdxlTimeIds() {
    }

    /** Time ids (B, 6) float32 for {@code batch} images of {@code heightPx} x {@code widthPx}. */
    public static Tensor of(int heightPx, int widthPx, int batch) {
        int[] size = {heightPx, widthPx};
        float[] ids = SdxlConditioning.timeIds(size, new int[] {0, 0}, size, false, 0);
        ByteBuffer data = ByteBuffer.allocate(Float.BYTES * ids.length * batch).order(ByteOrder.LITTLE_ENDIAN);
        for (int b = 0; b < batch; b++) {
            for (float id : ids) {
                data.putFloat(id);
            }
        }
        return Tensor.newBuilder().setDtype(DType.FLOAT32).addShape(batch).addShape(ids.length)
                .setData(ByteString.copyFrom(data.array())).build();
    }
}
