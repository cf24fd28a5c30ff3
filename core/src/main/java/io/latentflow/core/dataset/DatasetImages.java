package io.latentflow.core.dataset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.latentflow.core.image.ImageTensors;
import io.latentflow.core.image.PngFiles;

import java.awt.image.BufferedImage;

/** Reads a validated dataset's images as a training batch in the VAE's input range. */
public final class DatasetImages {

    private DatasetImages() {
    }

    /**
     * The images of entries {@code indices}, in that order, as (N, 3, H, W) float32 in [-1, 1] (see
     * {@link ImageTensors#toTensor}); only the result stays in {@code manager}.
     */
    public static NDArray load(Dataset dataset, int[] indices, NDManager manager) {
        if (indices.length == 0) {
            throw new IllegalArgumentException("no indices to load");
        }
        try (NDManager scope = manager.newSubManager()) {
            NDList images = new NDList(indices.length);
            for (int index : indices) {
                BufferedImage image = PngFiles.read(dataset.imageFile(index));
                // a file replaced since validation would otherwise surface as a shape error from concat
                if (!images.isEmpty() && (image.getWidth() != images.get(0).getShape().get(3)
                        || image.getHeight() != images.get(0).getShape().get(2))) {
                    throw new IllegalStateException(dataset.imageFile(index) + " is " + image.getWidth() + "x"
                            + image.getHeight() + ", unlike the batch's first image");
                }
                images.add(ImageTensors.toTensor(image, scope));
            }
            NDArray batch = NDArrays.concat(images, 0);
            batch.attach(manager);
            return batch;
        }
    }
}
