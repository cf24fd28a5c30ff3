package io.latentflow.core.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.schedule.SchedulerConfig;

import java.util.Arrays;

/**
 * Dynamic thresholding of the predicted x0 (Saharia et al. 2022, "Imagen", sec. 2.3): per image, s = the
 * {@code ratio} quantile of |x0| clamped to [1, sampleMaxValue]; x0 = clamp(x0, -s, s) / s.
 */
final class DynamicThresholding {
    private DynamicThresholding() {
    }

    /** Applies the configuration's thresholding or clipping to x0 (thresholding wins, as in diffusers). */
    static NDArray apply(SchedulerConfig config, NDArray predOriginalSample) {
        if (config.thresholding()) {
            return threshold(predOriginalSample, config.dynamicThresholdingRatio(), config.sampleMaxValue());
        }
        if (config.clipSample()) {
            return predOriginalSample.clip(-config.clipSampleRange(), config.clipSampleRange());
        }
        return predOriginalSample;
    }

    static NDArray threshold(NDArray x0, double ratio, double sampleMaxValue) {
        long batch = x0.getShape().get(0);
        int perImage = Math.toIntExact(x0.getShape().size() / batch);
        float[] data = x0.toType(DataType.FLOAT32, false).toFloatArray();
        float[] scale = new float[(int) batch];
        for (int b = 0; b < batch; b++) {
            float[] abs = new float[perImage];
            for (int k = 0; k < perImage; k++) {
                abs[k] = Math.abs(data[b * perImage + k]);
            }
            Arrays.sort(abs);
            // torch.quantile, linear interpolation between the two closest ranks
            double position = ratio * (perImage - 1);
            int lo = (int) Math.floor(position);
            int hi = Math.min(lo + 1, perImage - 1);
            double q = abs[lo] + (position - lo) * (abs[hi] - abs[lo]);
            scale[b] = (float) Math.max(1.0, Math.min(sampleMaxValue, q));
        }
        long[] dims = new long[x0.getShape().dimension()];
        Arrays.fill(dims, 1);
        dims[0] = batch;
        NDArray s = x0.getManager().create(scale, new Shape(dims));
        return x0.minimum(s).maximum(s.neg()).div(s);
    }
}
