package io.latentflow.orchestrator.job;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Turns decoded images in [-1, 1] into 8-bit RGB PNG files. */
public final class PngImages {

    private PngImages() {
    }

    /**
     * Encodes image {@code index} of a batch (B, 3, H, W) given as row-major floats in [-1, 1]; each channel value
     * maps to round(clamp((x + 1) / 2, 0, 1) * 255), as diffusers' image processor does.
     */
    public static byte[] encode(float[] batch, int index, int heightPx, int widthPx) {
        int plane = heightPx * widthPx;
        int offset = index * 3 * plane;
        BufferedImage image = new BufferedImage(widthPx, heightPx, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < heightPx; y++) {
            for (int x = 0; x < widthPx; x++) {
                int p = y * widthPx + x;
                int r = toByte(batch[offset + p]);
                int g = toByte(batch[offset + plane + p]);
                int b = toByte(batch[offset + 2 * plane + p]);
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode PNG", e);
        }
        return out.toByteArray();
    }

    /** One channel value in [-1, 1] as an 8-bit intensity. */
    static int toByte(float value) {
        float unit = Math.min(1f, Math.max(0f, (value + 1f) / 2f));
        return Math.round(unit * 255f);
    }
}
