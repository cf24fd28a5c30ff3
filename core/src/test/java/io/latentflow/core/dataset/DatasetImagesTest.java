package io.latentflow.core.dataset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.latentflow.core.image.ImageTensors;
import io.latentflow.core.image.PngFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A batch of dataset images as the VAE takes them. */
class DatasetImagesTest {

    @Test
    void theBatchHoldsTheRequestedImagesInOrderInMinusOneToOne(@TempDir Path dir) {
        Dataset dataset = ShapesDataset.write(dir, 3, 32, 9);
        try (NDManager manager = NDManager.newBaseManager()) {
            int before = manager.getManagedArrays().size();
            NDArray batch = DatasetImages.load(dataset, new int[] {2, 0}, manager);
            assertEquals(before + 1, manager.getManagedArrays().size());
            assertEquals(new Shape(2, 3, 32, 32), batch.getShape());
            assertTrue(batch.min().getFloat() >= -1f && batch.max().getFloat() <= 1f);
            NDArray third = ImageTensors.toTensor(PngFiles.read(dataset.imageFile(2)), manager);
            NDArray first = ImageTensors.toTensor(PngFiles.read(dataset.imageFile(0)), manager);
            assertArrayEquals(third.toFloatArray(), batch.get(0).toFloatArray());
            assertArrayEquals(first.toFloatArray(), batch.get(1).toFloatArray());
        }
    }
}
