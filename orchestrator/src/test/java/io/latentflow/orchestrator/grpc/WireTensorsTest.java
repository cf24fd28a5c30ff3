package io.latentflow.orchestrator.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.latentflow.proto.DType;
import io.latentflow.proto.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireTensorsTest {

    /** (2, 1, 2) int32 holding 0..3. */
    private static final Tensor TWO_BY_ONE_BY_TWO = Tensor.newBuilder()
            .addAllShape(List.of(2L, 1L, 2L))
            .setDtype(DType.INT32)
            .setData(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0}))
            .build();

    @Test
    void itemKeepsTheBatchAxis() {
        Tensor second = WireTensors.item(TWO_BY_ONE_BY_TWO, 1);
        assertEquals(List.of(1L, 1L, 2L), second.getShapeList());
        assertArrayEquals(new byte[] {2, 0, 0, 0, 3, 0, 0, 0}, second.getData().toByteArray());
        assertThrows(IllegalArgumentException.class, () -> WireTensors.item(TWO_BY_ONE_BY_TWO, 2));
    }

    @Test
    void repeatConcatenatesAlongTheBatchAxis() {
        Tensor first = WireTensors.item(TWO_BY_ONE_BY_TWO, 0);
        Tensor repeated = WireTensors.repeat(first, 3);
        assertEquals(List.of(3L, 1L, 2L), repeated.getShapeList());
        assertArrayEquals(new byte[] {0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0},
                repeated.getData().toByteArray());
    }

    @Test
    void checkedRejectsDataThatDoesNotMatchTheShape() {
        WireTensors.checked(TWO_BY_ONE_BY_TWO, "t");
        Tensor shortData = TWO_BY_ONE_BY_TWO.toBuilder().setData(ByteString.copyFrom(new byte[4])).build();
        assertThrows(IllegalStateException.class, () -> WireTensors.checked(shortData, "t"));
    }
}
