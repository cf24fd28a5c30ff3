package io.latentflow.orchestrator.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngImagesTest {

    @Test
    void mapsMinusOneToBlackAndOneToWhiteWithClamping() {
        assertEquals(0, PngImages.toByte(-1f));
        assertEquals(0, PngImages.toByte(-3f));
        assertEquals(255, PngImages.toByte(1f));
        assertEquals(255, PngImages.toByte(2f));
        assertEquals(128, PngImages.toByte(0f));
    }

    @Test
    void encodesTheRequestedImageOfABatchAsRgb() throws IOException {
        // batch (2, 3, 1, 2): image 1 has pixel (0,0) red, pixel (1,0) blue
        float[] batch = {
            0, 0, 0, 0, 0, 0,
            1, -1, -1, -1, -1, 1,
        };
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(PngImages.encode(batch, 1, 1, 2)));
        assertEquals(2, image.getWidth());
        assertEquals(1, image.getHeight());
        assertEquals(0xff0000, image.getRGB(0, 0) & 0xffffff);
        assertEquals(0x0000ff, image.getRGB(1, 0) & 0xffffff);
    }
}
