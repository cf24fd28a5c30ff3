package io.latentflow.core.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** Inpainting masks at latent resolution. */
final class Masks {
    private Masks() {
    }

    /**
     * torch.nn.functional.interpolate(mask, size=(h, w), mode="nearest"): output pixel (i, j) takes input pixel
     * (floor(i * H / h), floor(j * W / w)). mask: (B, 1, H, W) -> (B, 1, h, w).
     */
    static NDArray nearestDownsample(NDArray mask, int h, int w) {
        Shape s = mask.getShape();
        int batch = (int) s.get(0);
        int bigH = (int) s.get(2);
        int bigW = (int) s.get(3);
        float[] in = mask.toType(DataType.FLOAT32, false).toFloatArray();
        float[] out = new float[batch * h * w];
        float scaleH = (float) bigH / h;
        float scaleW = (float) bigW / w;
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < h; i++) {
                int si = Math.min((int) Math.floor(i * scaleH), bigH - 1);
                for (int j = 0; j < w; j++) {
                    int sj = Math.min((int) Math.floor(j * scaleW), bigW - 1);
                    out[(b * h + i) * w + j] = in[(b * bigH + si) * bigW + sj];
                }
            }
        }
        return mask.getManager().create(out, new Shape(batch, 1, h, w));
    }
}
