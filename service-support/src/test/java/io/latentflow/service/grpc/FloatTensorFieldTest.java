package io.latentflow.service.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.latentflow.proto.DType;
import io.latentflow.proto.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class FloatTensorFieldTest {

    @Test
    void aConsistentFloatTensorGivesItsShape() {
        // (2, 3) float16: 6 elements of 2 bytes
        Tensor tensor = tensor(DType.FLOAT16, 12, 2, 3);

        assertEquals(List.of(2L, 3L), FloatTensorField.shape("latents", tensor));
    }

    @Test
    void anIntegerTensorIsRejectedByFieldName() {
        InvalidFieldException error = assertThrows(InvalidFieldException.class,
                () -> FloatTensorField.shape("sample", tensor(DType.INT64, 16, 2)));

        assertTrue(error.getMessage().startsWith("sample: expected a floating-point tensor"), error.getMessage());
    }

    @Test
    void dataThatDoesNotFitTheShapeIsRejectedWithTheByteCounts() {
        // (2, 2) float32 needs 16 bytes
        InvalidFieldException error = assertThrows(InvalidFieldException.class,
                () -> FloatTensorField.shape("images", tensor(DType.FLOAT32, 12, 2, 2)));

        assertTrue(error.getMessage().contains("needs 16 bytes of data, got 12"), error.getMessage());
    }

    private static Tensor tensor(DType dtype, int dataBytes, long... shape) {
        Tensor.Builder tensor = Tensor.newBuilder().setDtype(dtype).setData(ByteString.copyFrom(new byte[dataBytes]));
        for (long dim : shape) {
            tensor.addShape(dim);
        }
        return tensor.build();
    }
}
