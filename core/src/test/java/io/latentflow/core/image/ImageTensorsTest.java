package io.latentflow.core.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Image <-> tensor conversions and PNG files. */
class ImageTensorsTest {

    @Test
    void pixelsMapToMinusOneToOneAndBack(@TempDir Path dir) {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, 0xff0080);
        image.setRGB(1, 0, 0x00ff00);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = ImageTensors.toTensor(image, manager);
            assertEquals(new Shape(1, 3, 1, 2), x.getShape());
            // (R, G, B) planes: R = (1, -1), G = (-1, 1), B = (2 * 128/255 - 1, -1)
            assertArrayEquals(new float[] {1, -1, -1, 1, 2f * (128 / 255f) - 1f, -1}, x.toFloatArray(), 1e-7f);
            NDArray unit = ImageTensors.postprocess(x).get(0);
            Path file = dir.resolve("a.png");
            PngFiles.write(ImageTensors.toImage(unit), file);
            BufferedImage back = PngFiles.read(file);
            assertEquals(0xff0080, back.getRGB(0, 0) & 0xffffff);
            assertEquals(0x00ff00, back.getRGB(1, 0) & 0xffffff);
        }
    }

    @Test
    void masksAreBinarizedLuminance() {
        BufferedImage mask = new BufferedImage(3, 1, BufferedImage.TYPE_INT_RGB);
        mask.setRGB(0, 0, 0x7f7f7f);
        mask.setRGB(1, 0, 0x808080);
        mask.setRGB(2, 0, 0xff0000);
        try (NDManager manager = NDManager.newBaseManager()) {
            // 127/255 < 0.5, 128/255 >= 0.5, pure red has luminance 76
            assertArrayEquals(new float[] {0, 1, 0}, ImageTensors.maskToTensor(mask, manager).toFloatArray());
        }
    }

    @Test
    void bytesRoundHalfToEven() {
        assertEquals(0, ImageTensors.toByte(0.5f / 255f));
        assertEquals(2, ImageTensors.toByte(1.5f / 255f));
        assertEquals(255, ImageTensors.toByte(1.3f));
        assertEquals(0, ImageTensors.toByte(-0.2f));
    }
}
