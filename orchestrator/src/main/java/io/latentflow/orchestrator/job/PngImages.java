package io.latentflow.orchestrator.job;

import ai.djl.ndarray.NDArray;
import io.latentflow.core.image.ImageTensors;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Turns the pipeline's images into 8-bit RGB PNG files, with core's image conversion (as diffusers does it). */
public final class PngImages {

    private PngImages() {
    }

    /** PNG bytes of image {@code index} of a batch (B, 3, H, W) in [0, 1], as the pipeline returns it. */
    public static byte[] encode(NDArray images, int index) {
        BufferedImage image = ImageTensors.toImage(images.get(index));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode PNG", e);
        }
        return out.toByteArray();
    }
}
