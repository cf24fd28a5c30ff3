package io.latentflow.orchestrator.job;

import ai.djl.ndarray.NDArray;
import io.latentflow.core.image.ImageTensors;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Turns decoded VAE output into 8-bit RGB PNG files, with core's image conversion (as diffusers does it). */
public final class PngImages {

    private PngImages() {
    }

    /** PNG bytes of image {@code index} of a decoded batch (B, 3, H, W) in roughly [-1, 1]. */
    public static byte[] encode(NDArray decoded, int index) {
        BufferedImage image = ImageTensors.toImage(ImageTensors.postprocess(decoded.get(index)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode PNG", e);
        }
        return out.toByteArray();
    }
}
