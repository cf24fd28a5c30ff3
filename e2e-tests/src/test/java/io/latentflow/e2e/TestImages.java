package io.latentflow.e2e;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/** Images the end-to-end tests put in the bucket. */
final class TestImages {

    private TestImages() {
    }

    /** A PNG mask repainting the right half (white) and keeping the left half (black). */
    static byte[] rightHalfMask(int widthPx, int heightPx) throws IOException {
        BufferedImage mask = new BufferedImage(widthPx, heightPx, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < heightPx; y++) {
            for (int x = widthPx / 2; x < widthPx; x++) {
                mask.setRGB(x, y, 0xffffff);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(mask, "png", out);
        return out.toByteArray();
    }
}
