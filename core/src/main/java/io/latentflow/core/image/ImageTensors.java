package io.latentflow.core.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.awt.image.BufferedImage;

/**
 * Conversions between images and tensors as diffusers' VaeImageProcessor does them: RGB u8 -> (u8 / 255) * 2 - 1 in
 * [-1, 1], masks -> grey / 255 binarized at 0.5, decoded images -> (x / 2 + 0.5) clamped to [0, 1] -> round(255 x).
 */
public final class ImageTensors {
    private ImageTensors() {
    }

    /** RGB image -> (1, 3, H, W) float32 in [-1, 1]. */
    public static NDArray toTensor(BufferedImage image, NDManager manager) {
        int w = image.getWidth();
        int h = image.getHeight();
        float[] data = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = image.getRGB(x, y);
                int[] channels = {(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff};
                for (int c = 0; c < 3; c++) {
                    data[(c * h + y) * w + x] = 2f * (channels[c] / 255f) - 1f;
                }
            }
        }
        return manager.create(data, new Shape(1, 3, h, w));
    }

    /** A mask (white = repaint) -> (1, 1, H, W) in {0, 1}: luminance / 255 binarized at 0.5. */
    public static NDArray maskToTensor(BufferedImage mask, NDManager manager) {
        int w = mask.getWidth();
        int h = mask.getHeight();
        float[] data = new float[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float grey = luminance(mask.getRGB(x, y)) / 255f;
                data[y * w + x] = grey < 0.5f ? 0f : 1f;
            }
        }
        return manager.create(data, new Shape(1, 1, h, w));
    }

    /** PIL's convert("L"): L = (299 R + 587 G + 114 B) / 1000, rounded. */
    static int luminance(int rgb) {
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    }

    /** Decoded VAE output (B, 3, H, W), roughly [-1, 1] -> (B, 3, H, W) in [0, 1]: (x / 2 + 0.5).clamp(0, 1). */
    public static NDArray postprocess(NDArray decoded) {
        return decoded.div(2f).add(0.5f).clip(0, 1);
    }

    /** One (3, H, W) or (1, 3, H, W) image in [0, 1] -> RGB image with u8 = round(255 x) (half to even, as numpy). */
    public static BufferedImage toImage(NDArray image) {
        NDArray chw = image.getShape().dimension() == 4 ? image.get(0) : image;
        int h = (int) chw.getShape().get(1);
        int w = (int) chw.getShape().get(2);
        float[] data = chw.toType(DataType.FLOAT32, false).toFloatArray();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = toByte(data[(0 * h + y) * w + x]);
                int g = toByte(data[(h + y) * w + x]);
                int b = toByte(data[(2 * h + y) * w + x]);
                out.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return out;
    }

    /** round(255 x) of a value in [0, 1] (values outside are clamped). */
    public static int toByte(float value) {
        float v = Math.max(0f, Math.min(1f, value));
        return (int) Math.rint(v * 255f);
    }
}
