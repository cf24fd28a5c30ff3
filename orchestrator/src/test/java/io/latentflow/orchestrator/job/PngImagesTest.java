package io.latentflow.orchestrator.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngImagesTest {

    @Test
    void encodesTheRequestedImageOfABatchAsRgb() throws IOException {
        // batch (2, 3, 1, 2) in [0, 1]: image 1 has pixel (0,0) red, pixel (1,0) blue, all else 0
        float[] batch = {
            0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f,
            1, 0, 0, 0, 0, 1,
        };
        try (NDManager manager = NDManager.newBaseManager()) {
            byte[] png = PngImages.encode(manager.create(batch, new Shape(2, 3, 1, 2)), 1);
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            assertEquals(2, image.getWidth());
            assertEquals(1, image.getHeight());
            assertEquals(0xff0000, image.getRGB(0, 0) & 0xffffff);
            assertEquals(0x0000ff, image.getRGB(1, 0) & 0xffffff);

            BufferedImage grey = ImageIO.read(new ByteArrayInputStream(
                    PngImages.encode(manager.create(batch, new Shape(2, 3, 1, 2)), 0)));
            // 0.5 * 255 = 127.5, rounded half to even
            assertEquals(0x808080, grey.getRGB(0, 0) & 0xffffff);
        }
    }
}
