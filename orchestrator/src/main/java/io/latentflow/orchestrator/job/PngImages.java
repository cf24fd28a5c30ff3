package io.latentflow.orchestrator.job;

import ai.djl.ndarray.NDArray;
import io.latentflow.core.image.ImageParameters;
import io.latentflow.core.image.ImageTensors;
import io.latentflow.core.image.PngText;
import java.util.Map;

/**
 * Turns the pipeline's images into 8-bit RGB PNG files, with core's image conversion (as diffusers does it) and,
 * for a job's images, the generation parameters in a {@code parameters} text chunk.
 */
public final class PngImages {

    private PngImages() {
    }

    /** PNG bytes of image {@code index} of a batch (B, 3, H, W) in [0, 1], as the pipeline returns it. */
    public static byte[] encode(NDArray images, int index) {
        return PngText.encode(ImageTensors.toImage(images.get(index)), Map.of());
    }

    /** The same, with how the image was made in its {@code parameters} chunk. */
    public static byte[] encode(NDArray images, int index, ImageParameters parameters) {
        return PngText.encode(ImageTensors.toImage(images.get(index)),
                Map.of(PngText.PARAMETERS, parameters.toText()));
    }
}
