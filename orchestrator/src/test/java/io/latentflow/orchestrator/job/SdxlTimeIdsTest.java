package io.latentflow.orchestrator.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import io.latentflow.proto.Tensor;
import io.latentflow.proto.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;

class SdxlTimeIdsTest {

    @Test
    void timeIdsAreTheJobSizeUncroppedOncePerImage() {
        Tensor ids = SdxlTimeIds.of(768, 1024, 2);
        assertEquals(List.of(2L, 6L), ids.getShapeList());
        try (NDManager manager = NDManager.newBaseManager()) {
            // (original_h, original_w, crop_top, crop_left, target_h, target_w) for each of the two images
            assertArrayEquals(new float[] {768, 1024, 0, 0, 768, 1024, 768, 1024, 0, 0, 768, 1024},
                    Tensors.toNDArray(ids, manager).toFloatArray());
        }
    }
}
