package io.latentflow.orchestrator.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.image.ImageParameters;
import io.latentflow.core.image.PngText;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Optional;
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

    @Test
    void aJobsImageCarriesItsParametersAsAutomatic1111WritesThem() throws IOException {
        ImageParameters parameters = new ImageParameters("a red circle, «night»", "blurry", 20, "DPM++ 2M Karras",
                7.5, 43, 2, 1, "shapes/1");
        try (NDManager manager = NDManager.newBaseManager()) {
            byte[] png = PngImages.encode(manager.zeros(new Shape(1, 3, 1, 2)), 0, parameters);

            assertEquals(Optional.of("""
                    a red circle, «night»
                    Negative prompt: blurry
                    Steps: 20, Sampler: DPM++ 2M Karras, CFG scale: 7.5, Seed: 43, Size: 2x1, Model: shapes/1"""),
                    PngText.read(png, PngText.PARAMETERS));
            assertEquals(2, ImageIO.read(new ByteArrayInputStream(png)).getWidth());
            String unicode = "一只红色的圆";
            byte[] utf8 = PngImages.encode(manager.zeros(new Shape(1, 3, 1, 2)), 0,
                    new ImageParameters(unicode, "", 4, "Euler a", 1, 0, 2, 1, "m/1"));
            assertEquals(Optional.of(unicode + "\nSteps: 4, Sampler: Euler a, CFG scale: 1.0, Seed: 0, Size: 2x1, "
                    + "Model: m/1"), PngText.read(utf8, PngText.PARAMETERS));
            assertEquals(Optional.empty(), PngText.read(PngImages.encode(manager.zeros(new Shape(1, 3, 1, 2)), 0),
                    PngText.PARAMETERS));
        }
    }
}
